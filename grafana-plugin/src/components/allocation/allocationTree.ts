/** The chargeback rows (flat, each with its `path`) as the expandable tree the table shows. */
import type { AllocationRow } from '../../api/analytics';

export interface AllocationNode {
  key: string;
  name: string;
  depth: number;
  row: AllocationRow;
  children: AllocationNode[];
}

/** Builds the tree; a row whose parent row is missing hangs from the nearest ancestor present (or the top). */
export function allocationTree(rows: AllocationRow[]): AllocationNode[] {
  const byKey = new Map<string, AllocationNode>();
  const sorted = [...rows].sort((a, b) => a.path.length - b.path.length);
  const roots: AllocationNode[] = [];
  for (const row of sorted) {
    const key = JSON.stringify(row.path);
    const node: AllocationNode = {
      key,
      name: row.path[row.path.length - 1] ?? '(none)',
      depth: row.path.length - 1,
      row,
      children: [],
    };
    byKey.set(key, node);
    let parent: AllocationNode | undefined;
    for (let n = row.path.length - 1; n > 0 && !parent; n--) {
      parent = byKey.get(JSON.stringify(row.path.slice(0, n)));
    }
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** The nodes to show, depth first, with the children of expanded nodes only. */
export function visibleNodes(roots: AllocationNode[], expanded: ReadonlySet<string>): AllocationNode[] {
  const out: AllocationNode[] = [];
  const walk = (nodes: AllocationNode[]) => {
    for (const n of nodes) {
      out.push(n);
      if (expanded.has(n.key)) {
        walk(n.children);
      }
    }
  };
  walk(roots);
  return out;
}
