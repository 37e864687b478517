/**
 * How a CICFlowMeter CSV's header becomes ML-IDS columns: each header matched to an ML-IDS name in
 * any dialect, the columns put in ML-IDS order (identity columns, the 79 features, the label), and
 * what is missing, unknown or repeated said plainly.
 * @module
 */

import { InputError } from "../../errors.ts";
import {
  CICFLOWMETER4_HEADERS,
  type CsvDialect,
  detectDialect,
  IDENTITY_COLUMNS,
  IDS_FEATURES,
  idsColumnName,
  LABEL_COLUMN,
  PYTHON_CICFLOWMETER_NAMES,
  V3_HEADERS,
} from "../_column_names.ts";

/** Up to `shown` names, then how many more. */
export function listNames(names: readonly string[], shown = 5): string {
  const head = names.slice(0, shown).join(", ");
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

function dialectSpelling(dialect: CsvDialect, index: number): string | undefined {
  if (dialect === "cicflowmeter-v3") return V3_HEADERS[index];
  if (dialect === "cicflowmeter-4") return CICFLOWMETER4_HEADERS[index];
  if (dialect === "python-cicflowmeter") return PYTHON_CICFLOWMETER_NAMES[index];
  return undefined;
}

/** What mlids reads, for hints. */
const DIALECT_HINT = "mlids reads comma-separated CSVs from CICFlowMeter-V3 (CSE-CIC-IDS2018), " +
  "CICFlowMeter 4.0 and the Python cicflowmeter, with all 79 flow feature columns";

/** An output column: its ML-IDS name, the dtype ML-IDS declares it with, and its CSV field. */
export interface PlannedColumn {
  readonly name: string;
  /** `object` for text columns (timestamp, identities, label); a numeric dtype otherwise. */
  readonly dtype: string;
  /** The position of its field in each record. */
  readonly field: number;
}

/**
 * The output columns of a CSV with these headers, in ML-IDS order (identity columns, the 79
 * features, the label); InputError when feature columns are missing.
 */
export function planColumns(
  path: string,
  headers: readonly string[],
  notice: (message: string) => void,
): PlannedColumn[] {
  const found = new Map<string, number>();
  const unknown: string[] = [];
  const duplicates: string[] = [];
  headers.forEach((header, j) => {
    const name = idsColumnName(header);
    if (name === null) unknown.push(`'${header}'`);
    else if (found.has(name)) duplicates.push(`'${header}' (column ${j + 1})`);
    else found.set(name, j);
  });
  const dialect = detectDialect(headers);
  const features = IDS_FEATURES.filter((feature) => found.has(feature.name));
  if (features.length === 0) {
    const first = headers[0] ?? "";
    const delimiterHint = /[;\t|]/.test(first) ? " (is it separated by ';' or tabs?)" : "";
    throw new InputError(
      `${path}: not a CICFlowMeter CSV: its header line names none of the 79 flow features ` +
        `(it starts '${first.slice(0, 60)}')${delimiterHint}`,
      { hint: DIALECT_HINT },
    );
  }
  if (features.length < IDS_FEATURES.length) {
    const missing = IDS_FEATURES.flatMap((feature, index) => {
      if (found.has(feature.name)) return [];
      const spelling = dialectSpelling(dialect, index);
      return [
        spelling && spelling !== feature.name ? `${feature.name} ('${spelling}')` : feature.name,
      ];
    });
    throw new InputError(
      `${path}: lacks ${missing.length} of the 79 flow feature columns the ML-IDS API needs: ` +
        `${listNames(missing)} (dialect: ${dialect})`,
      {
        hint: `${DIALECT_HINT}; export the flows again with every feature column, ` +
          "or add the missing ones",
      },
    );
  }
  if (unknown.length > 0) {
    notice(`dropped ${unknown.length} column(s) mlids does not know: ${listNames(unknown)}`);
  }
  if (duplicates.length > 0) {
    notice(`dropped ${duplicates.length} repeated column(s): ${listNames(duplicates)}`);
  }
  const columns = [
    ...IDENTITY_COLUMNS.filter((column) => found.has(column.name)),
    ...IDS_FEATURES,
    ...(found.has(LABEL_COLUMN) ? [{ name: LABEL_COLUMN, dtype: "object" }] : []),
  ];
  return columns.map(({ name, dtype }) => ({ name, dtype, field: found.get(name) as number }));
}
