/** A report that cannot run as asked (answered 400, naming the field to fix). */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}
