/**
 * Whether a checkout's items meet a `checkout.line_items` constraint (checkout_mandate.md, "Line
 * Items"): every requirement gets exactly its quantity from items it accepts, every checkout
 * unit is used by one requirement, none twice. As the spec suggests, a maximum flow: source →
 * requirement (its quantity) → accepted item (unbounded) → sink (the item's quantity in the
 * checkout); met when the flow equals both totals. Edmonds–Karp: the graphs are tiny.
 */
export interface LineRequirement {
  quantity: number;
  acceptable: readonly string[];
}

export function lineItemsMet(
  requirements: readonly LineRequirement[],
  checkoutQuantities: ReadonlyMap<string, number>,
): boolean {
  const items = [...checkoutQuantities.keys()];
  const source = 0;
  const firstItem = 1 + requirements.length;
  const sink = firstItem + items.length;
  const size = sink + 1;
  const capacity = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const setCapacity = (from: number, to: number, value: number) => {
    (capacity[from] as number[])[to] = value;
  };
  requirements.forEach((requirement, r) => {
    setCapacity(source, 1 + r, requirement.quantity);
    items.forEach((item, i) => {
      if (requirement.acceptable.includes(item)) setCapacity(1 + r, firstItem + i, Infinity);
    });
  });
  items.forEach((item, i) => {
    setCapacity(firstItem + i, sink, checkoutQuantities.get(item) ?? 0);
  });

  let flow = 0;
  for (;;) {
    const parent = new Array<number>(size).fill(-1);
    parent[source] = source;
    const queue = [source];
    while (queue.length > 0 && parent[sink] === -1) {
      const node = queue.shift() as number;
      for (let next = 0; next < size; next += 1) {
        if (parent[next] === -1 && ((capacity[node] as number[])[next] ?? 0) > 0) {
          parent[next] = node;
          queue.push(next);
        }
      }
    }
    if (parent[sink] === -1) break;
    let push = Infinity;
    for (let node = sink; node !== source; node = parent[node] as number) {
      push = Math.min(push, (capacity[parent[node] as number] as number[])[node] as number);
    }
    for (let node = sink; node !== source; node = parent[node] as number) {
      const from = parent[node] as number;
      (capacity[from] as number[])[node] = ((capacity[from] as number[])[node] as number) - push;
      (capacity[node] as number[])[from] = ((capacity[node] as number[])[from] as number) + push;
    }
    flow += push;
  }
  const required = requirements.reduce((sum, r) => sum + r.quantity, 0);
  const present = [...checkoutQuantities.values()].reduce((sum, q) => sum + q, 0);
  return flow === required && flow === present;
}
