/** A start-up failure the operator can fix: the message names the setting and what to do (one line, no stack). */
export class StartupError extends Error {
  /** The environment variable to look at. */
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.name = 'StartupError';
    this.setting = setting;
  }
}

/** A `listen()` failure as a `StartupError` naming the port's (or host's) variable. */
export function listenFailure(error: unknown, portVariable: string, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(portVariable, `${portVariable}=${port}: port in use on ${host}: stop what holds it or set ${portVariable} to a free port`);
    case 'EACCES':
      return new StartupError(portVariable, `${portVariable}=${port}: not allowed to listen on ${where}: choose a port above 1023 or grant the process the right to bind it`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError('TOKENMETER_COLLECTOR_HOST', `TOKENMETER_COLLECTOR_HOST=${host}: no such address on this machine: use one of its addresses, 0.0.0.0 or 127.0.0.1`);
    default:
      return error;
  }
}
