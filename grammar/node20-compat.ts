// Chevrotain 13 calls Object.groupBy (Node 21+) while it analyses the grammar; archc still supports Node 20, so
// this supplies the standard method there, and does nothing where Node has its own. Imported by parser.ts.

declare global {
  interface ObjectConstructor {
    groupBy?<K extends PropertyKey, T>(items: Iterable<T>, key: (item: T, index: number) => K): Partial<Record<K, T[]>>;
  }
}

if (typeof Object.groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    configurable: true,
    writable: true,
    value<K extends PropertyKey, T>(items: Iterable<T>, key: (item: T, index: number) => K): Partial<Record<K, T[]>> {
      const out = Object.create(null) as Partial<Record<K, T[]>>;
      let i = 0;
      for (const item of items) {
        const k = key(item, i++);
        const group = out[k] ?? [];
        group.push(item);
        out[k] = group;
      }
      return out;
    },
  });
}

export {};
