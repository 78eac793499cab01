/** A clock tests can move; starts at the real time so tokens look ordinary. */
export interface TestClock {
  (): Date;
  advance(seconds: number): void;
}

export function createTestClock(start = new Date()): TestClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (seconds) => {
    now += seconds * 1000;
  };
  return clock;
}
