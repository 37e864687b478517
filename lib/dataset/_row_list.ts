/**
 * A growing list of row numbers (a category's rows while labels are read), doubling a typed array
 * instead of pushing to a JS array: four bytes a row, for millions of rows.
 * @module
 */

/** Row numbers appended one at a time, read back as a Uint32Array. */
export class RowList {
  data: Uint32Array = new Uint32Array(1024);
  length = 0;

  /** Appends `row`. */
  push(row: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = row;
  }

  /** The rows appended, in order, as a copy of their own. */
  rows(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
