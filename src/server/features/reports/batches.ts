// Reads a large result set a batch at a time with keyset pagination (`where key > last key`), so that
// neither memory nor the cost of a page grows with the number of rows already read.
export const BATCH_SIZE = 500;

export async function* keysetBatches<Row, Key>(
  fetchPage: (after: Key | null, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  size = BATCH_SIZE,
): AsyncGenerator<Row[]> {
  let after: Key | null = null;
  for (;;) {
    const rows = await fetchPage(after, size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}
