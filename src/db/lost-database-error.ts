/** Startup refused: the database is missing where one existed before (see database-marker.ts). */
export class LostDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LostDatabaseError";
  }
}
