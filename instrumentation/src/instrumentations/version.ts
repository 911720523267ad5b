/** Reported as the instrumentation scope version. */
export const INSTRUMENTATION_VERSION = '0.1.0';
