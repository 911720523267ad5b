/** Test ids, shared by the unit tests, the browser harness test and the plugin-e2e specs. */
export const testIds = {
  common: {
    error: 'data-testid tm-error',
    loading: 'data-testid tm-loading',
    empty: 'data-testid tm-empty',
  },
  appConfig: {
    url: 'data-testid ac-url',
    adminToken: 'data-testid ac-admin-token',
    readToken: 'data-testid ac-read-token',
    timezone: 'data-testid ac-timezone',
    submit: 'data-testid ac-submit',
    test: 'data-testid ac-test',
    testResult: 'data-testid ac-test-result',
  },
  overview: {
    container: 'data-testid tm-overview',
    today: 'data-testid tm-overview-today',
    utilization: 'data-testid tm-overview-utilization',
    top: 'data-testid tm-overview-top',
    anomalies: 'data-testid tm-overview-anomalies',
    panels: 'data-testid tm-overview-panels',
  },
  allocation: {
    container: 'data-testid tm-allocation',
    shared: 'data-testid tm-allocation-shared',
    table: 'data-testid tm-allocation-table',
    reconciliation: 'data-testid tm-allocation-reconciliation',
  },
  forecast: {
    container: 'data-testid tm-forecast',
    chart: 'data-testid tm-forecast-chart',
    budgets: 'data-testid tm-forecast-budgets',
  },
  recommendations: { container: 'data-testid tm-recommendations', table: 'data-testid tm-recommendations-table' },
  quotas: {
    container: 'data-testid tm-quotas',
    table: 'data-testid tm-quotas-table',
    budgets: 'data-testid tm-budgets-table',
    create: 'data-testid tm-quotas-create',
    createBudget: 'data-testid tm-budgets-create',
    form: 'data-testid tm-quota-form',
    save: 'data-testid tm-quota-save',
    suggest: 'data-testid tm-quota-suggest',
  },
  pricing: {
    container: 'data-testid tm-pricing',
    table: 'data-testid tm-pricing-table',
    reprice: 'data-testid tm-pricing-reprice',
  },
  providers: { container: 'data-testid tm-providers', table: 'data-testid tm-providers-table' },
  reports: {
    container: 'data-testid tm-reports',
    run: 'data-testid tm-reports-run',
    schedules: 'data-testid tm-reports-schedules',
  },
};
