export interface PortSetting {
  key: 'mock' | 'controlPlane' | 'otlp' | 'collectorMetrics' | 'sdkMetrics' | 'prometheus' | 'alertmanager';
  /** What listens there, for messages. */
  what: string;
  /** The variable that moves the port (the one the service itself reads). */
  variable: string;
  default: number;
}
export type Ports = Record<PortSetting['key'], number>;
export declare const PORT_SETTINGS: readonly PortSetting[];
export declare function readPorts(env?: NodeJS.ProcessEnv): Ports;
export declare function portFree(port: number, host: string): Promise<boolean>;
export declare function portConflict(ports: Ports, keys: ReadonlyArray<PortSetting['key']>, host: string): Promise<string | undefined>;
