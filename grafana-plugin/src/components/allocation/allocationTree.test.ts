import { allocationTree, visibleNodes } from './allocationTree';

const row = (path: string[], total: string) => ({ path, direct_usd: total, shared_usd: '0', total_usd: total });

describe('allocation tree', () => {
  const rows = [
    row(['acme', 'research', 'search'], '3'),
    row(['acme'], '10'),
    row(['acme', 'research'], '7'),
    row(['acme', 'sales'], '3'),
    row(['globex', 'ops', 'bot', 'inv-1'], '1'),
  ];

  test('nests rows by path; a row without its parent hangs from the nearest ancestor present', () => {
    const roots = allocationTree(rows);
    expect(roots.map((r) => r.name)).toEqual(['acme', 'inv-1']);
    expect(roots[0]!.children.map((c) => c.name)).toEqual(['research', 'sales']);
    expect(roots[0]!.children[0]!.children.map((c) => [c.name, c.depth])).toEqual([['search', 2]]);
    expect(roots[1]!.depth).toBe(3);
    expect(roots[1]!.name).toBe('inv-1');
  });

  test('shows the children of expanded nodes only, depth first', () => {
    const roots = allocationTree(rows);
    expect(visibleNodes(roots, new Set()).map((n) => n.name)).toEqual(['acme', 'inv-1']);
    const acme = JSON.stringify(['acme']);
    const research = JSON.stringify(['acme', 'research']);
    expect(visibleNodes(roots, new Set([acme, research])).map((n) => n.name)).toEqual([
      'acme',
      'research',
      'search',
      'sales',
      'inv-1',
    ]);
  });
});
