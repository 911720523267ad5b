/** `POST /reports`: runs a report now and streams the file (CSV, JSON, PDF or FOCUS 1.2 CSV). */
import type { ControlPlane } from '../control-plane.js';
import { ApiError } from '../errors.js';
import { reportDefinitionSchema } from '../reports/definition.js';
import { ReportInputError } from '../reports/errors.js';
import { SourceUnavailableError } from '../reports/kinds/sources.js';
import { prepareReport, writeReport, type PreparedReport } from '../reports/run.js';
import type { Api } from './route.js';

/** The API error of a report that cannot run (`undefined`: not a caller's problem). */
export function reportApiError(error: unknown): ApiError | undefined {
  if (error instanceof ReportInputError) return new ApiError(400, 'invalid_request', error.message, [{ path: error.path, message: error.message }]);
  if (error instanceof SourceUnavailableError) return new ApiError(501, 'not_available', error.message);
  return undefined;
}

export function mountReports(api: Api, cp: ControlPlane): void {
  api.add({
    method: 'post', path: '/reports', tag: 'reports', roles: ['read'], body: reportDefinitionSchema, statuses: [200],
    responseContentType: 'text/csv',
    summary: 'Run a report now (kind usage, chargeback, forecast, recommendations or audit; format csv, json, pdf or focus = FOCUS 1.2 CSV) and stream the file '
      + '(Content-Type text/csv, application/json or application/pdf by format); 501 not_available for an analytics kind whose service is not connected',
  }, async ({ body, res }) => {
    let prepared: PreparedReport;
    try {
      prepared = prepareReport(cp.reports.environment, body);
      // The analytics kinds ask their source once, before any output: a failing source still gets a proper error answer.
      if (body.kind !== 'usage' && body.kind !== 'audit') await prepared.report.summary();
    } catch (error) {
      throw reportApiError(error) ?? error;
    }
    res.status(200);
    res.setHeader('Content-Type', prepared.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${prepared.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await writeReport(cp.reports.environment, prepared, res);
      res.end();
    } catch (error) {
      // Headers are out: the only honest signal left is an aborted response (never a truncated file that looks complete).
      cp.onError(error);
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
