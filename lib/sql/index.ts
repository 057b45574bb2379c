/** Streaming SQL (docs/sql.md): Kinesis-Data-Analytics-flavoured SQL ↔ window definitions. */
export { type CompileOptions, type CompileResult, compileSql } from './compile';
export { type SqlError, SqlRenderError } from './errors';
export { toSql } from './render';
