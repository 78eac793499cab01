/**
 * Times two operations alternately, `rounds` times each after a warm-up of both, and returns
 * their median durations in ms. Interleaving makes load from other test files affect both alike.
 */
export async function interleavedMedians(a: () => Promise<unknown>, b: () => Promise<unknown>, rounds = 15): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  const time = async (run: () => Promise<unknown>, into: number[] | null) => {
    const start = performance.now();
    await run();
    into?.push(performance.now() - start);
  };
  await time(a, null);
  await time(b, null);
  for (let i = 0; i < rounds; i++) {
    await time(a, times[0]);
    await time(b, times[1]);
  }
  const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return [median(times[0]), median(times[1])];
}
