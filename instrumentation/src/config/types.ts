/** `TOKENMETER_ENFORCEMENT`: off, or what to do when the control plane is unreachable. */
export type EnforcementMode = 'off' | 'fail-open' | 'fail-closed';
