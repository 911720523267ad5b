/** Aliased by the harness build to @grafana/runtime's own PluginPage module (Grafana sets its page chrome through it). */
declare module 'grafana-runtime-plugin-page' {
  import type { ComponentType } from 'react';
  import type { PluginPageProps } from '@grafana/runtime';
  export function setPluginPage(component: ComponentType<PluginPageProps>): void;
}
