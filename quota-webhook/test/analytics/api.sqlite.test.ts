/** The analytics endpoints on SQLite (a database file, as the service runs by default). */
import { defineAnalyticsSuite } from './api-suite.js';

defineAnalyticsSuite('sqlite', async () => ({}));
