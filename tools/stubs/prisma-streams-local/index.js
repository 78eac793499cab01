// See package.json: `prisma dev` is not available in this project.
export async function startLocalDurableStreamsServer() {
  throw new Error("`prisma dev` is not supported by claimgate (its @prisma/streams-local is stubbed out); claimgate uses SQLite.");
}
