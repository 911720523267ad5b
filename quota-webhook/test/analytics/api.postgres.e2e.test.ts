/** The analytics endpoints on a real PostgreSQL server (Debian `postgresql`, started by testkit). */
import { usePostgres } from '../support/postgres.js';
import { defineAnalyticsSuite } from './api-suite.js';

const postgres = usePostgres();

defineAnalyticsSuite('postgres', async () => ({ dbUrl: await postgres().createDatabase() }));
