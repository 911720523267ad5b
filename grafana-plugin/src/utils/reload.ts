/** Reloads the page: Grafana hands the app its new settings only on a fresh load. */
export function reloadPage(): void {
  window.location.reload();
}
