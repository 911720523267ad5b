export declare const DEMO_ORG: string;
/** user → department. */
export declare const DIRECTORY: Readonly<Record<string, string>>;
export declare const QUOTAS: ReadonlyArray<{ id: string } & Record<string, unknown>>;
export declare const PROVIDERS: ReadonlyArray<{ provider: string; enabled: boolean; priority: number; limits: Record<string, number> }>;
export type AdminApi = (method: string, path: string, body?: unknown) => Promise<unknown>;
export declare function adminClient(baseUrl: string, adminToken: string): AdminApi;
export declare function seed(api: AdminApi): Promise<void>;
