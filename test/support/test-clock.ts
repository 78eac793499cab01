/** A frozen clock that tests move by hand, so expiry is reached without waiting and no assertion depends on how long a step took. */
export interface TestClock {
  (): Date;
  advance(seconds: number): void;
}

export function createTestClock(start: Date = new Date()): TestClock {
  let nowMs = start.getTime();
  const clock = (() => new Date(nowMs)) as TestClock;
  clock.advance = (seconds) => {
    nowMs += seconds * 1000;
  };
  return clock;
}
