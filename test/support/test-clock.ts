/** Real time plus an offset that tests can move, so expiry can be reached without waiting. */
export interface TestClock {
  (): Date;
  advance(seconds: number): void;
}

export function createTestClock(): TestClock {
  let offsetMs = 0;
  const clock = (() => new Date(Date.now() + offsetMs)) as TestClock;
  clock.advance = (seconds) => {
    offsetMs += seconds * 1000;
  };
  return clock;
}
