/** `/metrics` as a scraper fetches it, for the benches that time scrapes. */
import { get } from 'node:http';

/**
 * GET `url`, counting the body's bytes (the scraper's own parsing is not the service's time). A new connection
 * each time: a reused keep-alive one races the server's idle close (ECONNRESET on a loaded machine).
 */
export function scrape(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}
