// The URL's scheme decides the database; parsing it belongs to configuration (config/database-kind.ts).
export { databaseKindOf, isPostgresUrl, type DatabaseKind } from "../config/database-kind.js";
