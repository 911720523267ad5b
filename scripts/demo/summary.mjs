// The demo's periodic summary, every figure labelled with what it covers:
// the ledger's exact spend since the demo's state was created (all time) and
// in the current UTC hour (the window of the hourly quota), the blocks in
// force, and Prometheus's current rate (an estimate from the SDK's counters).

/** Start of the current UTC hour. */
function hourStart(now) {
  const d = new Date(now);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

function spendByDepartment(groups) {
  if (groups.length === 0) return 'no calls';
  return groups.map((g) => `${g.key ?? '(none)'} $${Number(g.cost_usd).toFixed(4)} (${g.requests} calls)`).join(', ');
}

/**
 * The summary, two lines: `ledger, all time: …` (everything in this state
 * directory) and `ledger, this hour (from 13:00 UTC): …; blocked now: …;
 * Prometheus, rate over the last minute: $…/h` (the rate only with a
 * `prometheusUrl`, and only when Prometheus answers).
 */
export async function summaryLines({ controlPlaneUrl, readToken, prometheusUrl, now = Date.now() }) {
  const headers = { authorization: `Bearer ${readToken}` };
  const get = async (path) => {
    const response = await fetch(`${controlPlaneUrl}/api/v1${path}`, { headers });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  };
  const from = hourStart(now);
  const allTime = await get('/usage?group_by=department');
  const thisHour = await get(`/usage?group_by=department&from=${encodeURIComponent(from.toISOString())}`);
  const blocks = await get('/blocks');
  let hourLine = `ledger, this hour (from ${from.toISOString().slice(11, 16)} UTC): ${spendByDepartment(thisHour.groups)}; `;
  hourLine += `blocked now: ${blocks.blocks.map((b) => `${b.scope} ${b.subject}`).join(', ') || 'nobody'}`;
  const rate = prometheusUrl === undefined ? undefined : await hourlyRate(prometheusUrl);
  if (rate !== undefined) hourLine += `; Prometheus, rate over the last minute: $${rate.toFixed(4)}/h`;
  return [`ledger, all time: ${spendByDepartment(allTime.groups)}`, hourLine];
}

/** USD per hour at the rate of the last minute, from the SDK's cost counter; undefined when Prometheus has no answer. */
async function hourlyRate(prometheusUrl) {
  try {
    const query = encodeURIComponent('sum(rate(tokenmeter_cost_total[1m])) * 3600');
    const result = await (await fetch(`${prometheusUrl}/api/v1/query?query=${query}`)).json();
    const value = result?.data?.result?.[0]?.value?.[1];
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined;
  }
}
