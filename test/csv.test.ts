/**
 * The CSV reader against handmade files, good and bad. Oracle: the bytes written here by hand and
 * the table or the message they must give; the Boston file against its documented shape and
 * Python's csv module (506 rows, 15 columns, first and last rows as printed by the dataset's docs).
 */
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv, type Table } from "../src/data/csv.js";
import { applyTablePrep, fitTablePrep } from "../src/data/table-prep.js";
import { TableError } from "../src/errors.js";
import { DEFAULT_LIMITS, setLimits } from "../src/limits.js";
import { bostonHousingPath, loadBostonHousing, loadCsv } from "../src/node/csv.js";
import { expectThrows } from "./helpers.js";
import { build } from "vite";
import { runInContext, createContext } from "node:vm";

const dir = mkdtempSync(join(tmpdir(), "descent-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setLimits(DEFAULT_LIMITS));

const utf8 = (s: string) => new TextEncoder().encode(s);
const table = (s: string | Uint8Array, name = "t.csv"): Table => parseCsv(s, name);

describe("good files", () => {
  test("header and rows; cells stay strings, trimmed of spaces outside quotes", () => {
    const t = table("a,b,c\n1, 2 ,x\n-3.5,4e2,\" y \"\n");
    expect(t.columns).toEqual(["a", "b", "c"]);
    expect(t.rows).toEqual([["1", "2", "x"], ["-3.5", "4e2", " y "]]);
    expect(t.lines).toEqual([2, 3]);
    expect(t.name).toBe("t.csv");
  });

  test("quoted fields hold commas, line breaks and doubled quotes", () => {
    const t = table('name,note\n"Smith, J.","said ""hi""\nthen left"\nplain,"a,b"\n');
    expect(t.rows).toEqual([["Smith, J.", 'said "hi"\nthen left'], ["plain", "a,b"]]);
    expect(t.lines).toEqual([2, 4]); // the second row starts after the quoted line break
  });

  test("a UTF-8 BOM is dropped (bytes and text), CRLF, CR and mixed line ends all read", () => {
    const expected = { columns: ["x", "y"], rows: [["1", "2"], ["3", "4"], ["5", "6"]] };
    for (const input of [
      new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("x,y\r\n1,2\r\n3,4\r\n5,6\r\n")]),
      "\uFEFFx,y\r\n1,2\r\n3,4\r\n5,6",
      "x,y\r1,2\r3,4\r5,6\r",
      "x,y\r\n1,2\n3,4\r5,6\n",
    ]) {
      const t = table(input);
      expect({ columns: t.columns, rows: t.rows }).toEqual(expected);
      expect(t.lines).toEqual([2, 3, 4]);
    }
  });

  test("empty and blank lines are skipped; line numbers still count them", () => {
    const t = table("\n\nx,y\n\n1,2\n   \n\r\n3,4\n\n\n");
    expect(t.columns).toEqual(["x", "y"]);
    expect(t.rows).toEqual([["1", "2"], ["3", "4"]]);
    expect(t.lines).toEqual([5, 8]);
  });

  test("non-ASCII names and values (é, 😀) survive bytes → text", () => {
    const t = table(utf8("prix €,ville\n12,Montréal 😀\n"));
    expect(t.columns).toEqual(["prix €", "ville"]);
    expect(t.rows).toEqual([["12", "Montréal 😀"]]);
  });

  test("the Boston file: 506 rows × 15 columns, equal to a plain split of its lines (it has no quotes)", async () => {
    expect(bostonHousingPath()).toMatch(/datasets-harrison-boston-house-prices-corrected[/\\]data[/\\]data\.csv$/);
    const t = await loadBostonHousing();
    expect(t.columns).toEqual(["crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax", "ptratio", "b", "lstat", "medv", "cmedv"]);
    expect(t.rows.length).toBe(506);
    expect(t.rows[0]).toEqual(["0.00632", "18.00", "2.310", "0", "0.5380", "6.5750", "65.20", "4.0900", "1", "296.0", "15.30", "396.90", "4.98", "24.00", "24.00"]);
    const text = readFileSync(bostonHousingPath(), "utf8");
    expect(text).not.toContain('"');
    const lines = text.trim().split("\n");
    expect(t.rows).toEqual(lines.slice(1).map((l) => l.split(",")));
    expect(t.rows[505]!.slice(-2)).toEqual(["11.90", "19.00"]); // medv and the corrected cmedv differ here
  });
});

describe("bad files are refused, naming the file, row and line", () => {
  test.each([
    ["an empty file", "", "t.csv: the file is empty — a CSV table needs a header row"],
    ["only blank lines", "\n  \n\r\n", "t.csv: the file is empty"],
    ["a header but no rows", "a,b\n\n", "t.csv: the file has a header (2 columns) but no data rows"],
    ["a row with too few fields", "a,b,c\n1,2,3\n4,5\n", "t.csv: row 2 (line 3) has 2 fields, the header has 3 — every row needs a value (possibly empty) for every column"],
    ["a row with too many fields (an unquoted comma)", "a,b\n1,2\n\n3,4,5\n", "t.csv: row 2 (line 4) has 3 fields, the header has 2 — a value holding a comma must be in double quotes"],
    ["a quote never closed", 'a,b\n1,2\n3,"4\n5,6\n', 't.csv: row 2 (line 3) opens a quote that is never closed'],
    ["a quote never closed in the header", '"a,b\n1,2\n', "t.csv: the header (line 1) opens a quote that is never closed"],
    ["text after a closing quote", 'a,b\n1,"2"x\n', 't.csv: line 2: a quoted field is followed by more text before the next comma'],
    ["a quote inside an unquoted field", 'a,b\n1,2"x"\n', "t.csv: line 2: a quote in the middle of an unquoted field"],
    ["an empty column name", "a,,c\n1,2,3\n", "t.csv: column 2 of the header has no name"],
    ["a trailing comma in the header", "a,b,\n1,2,3\n", "t.csv: column 3 of the header has no name — the first row must name every column (a trailing comma makes an empty last column)"],
    ["duplicate column names", "a,b,a\n1,2,3\n", 't.csv: columns 1 and 3 are both named "a" — column names must be unique'],
    ["semicolon-separated", "a;b;c\n1;2;3\n", 't.csv: the header is one column, "a;b;c" — the file seems separated by ;, not commas'],
  ])("%s", (_what, text, message) => {
    expectThrows(TableError, () => table(text), message);
  });

  test("bytes that are not UTF-8, and UTF-16, are refused with what to do", () => {
    expectThrows(TableError, () => table(new Uint8Array([...utf8("a,b\n1,caf"), 0xe9, ...utf8("\n")])), "t.csv: the file is not UTF-8 text (byte 9 starts an invalid sequence) — save it as UTF-8");
    expectThrows(TableError, () => table(new Uint8Array([0xff, 0xfe, 0x61, 0x00])), "t.csv: the file is UTF-16 text");
  });

  test("a control character in a file name or a column name is escaped in the message", () => {
    expectThrows(TableError, () => table("a\x1b[31m,a\x1b[31m\n1,2\n", "evil\x1b.csv"), 'evil\\x1b.csv: columns 1 and 2 are both named "a\\x1b[31m"');
  });

  test("non-numeric and missing cells are named with their row, line, column and value (via table prep)", () => {
    const t = table("x,y\n1,2\n3,4\n5,abc\n\n7,NA\n");
    const prep = fitTablePrep(t, { targets: ["y"], rows: [0, 1] });
    expectThrows(TableError, () => applyTablePrep(t, prep), 't.csv: row 3 (line 4), target column "y": "abc" is not a number — regression targets must be numbers');
    expectThrows(TableError, () => applyTablePrep(t, prep, { rows: [3] }), 't.csv: row 4 (line 6), target column "y" holds "NA", a missing-value marker — every row needs a target value');
    const u = table("x,y\n1,2\n,4\n");
    expectThrows(TableError, () => fitTablePrep(u, { targets: ["y"] }), 't.csv: row 2 (line 3), column "x" is empty — fill it in or drop the row, or impute the training mean');
  });
});

describe("caps", () => {
  test("a file over the size cap is refused by loadCsv before it is read", async () => {
    const path = join(dir, "big.csv");
    writeFileSync(path, "a,b\n" + "1,2\n".repeat(30)); // 124 bytes
    setLimits({ maxFileBytes: 100 });
    await expect(loadCsv(path)).rejects.toThrow(`${path}: the file is 124 bytes, larger than descent reads — the limit is 100 bytes; if the input is genuine, raise it with DESCENT_MAX_FILE_SIZE=…`);
    await expect(loadCsv(path)).rejects.toBeInstanceOf(TableError);
    setLimits({ maxFileBytes: 124 });
    expect((await loadCsv(path)).rows.length).toBe(30);
  });

  test("a missing file and a directory get the loader's words", async () => {
    await expect(loadCsv(join(dir, "nope.csv"))).rejects.toThrow("nope.csv: no such file — check the path of the CSV table");
    await expect(loadCsv(dir)).rejects.toThrow(`${dir}: is a directory, not a file`);
  });

  test("more cells than maxTableCells are refused while parsing, at the row that crosses the cap", () => {
    setLimits({ maxTableCells: 10 });
    expect(table("a,b\n1,2\n3,4\n5,6\n7,8\n").rows.length).toBe(4); // exactly 10 cells
    expectThrows(TableError, () => table("a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n"), "t.csv: more than 10 cells by line 6 — the limit is 10 cells; if the input is genuine, raise it with DESCENT_MAX_TABLE_CELLS=…");
    // A header alone can cross it: 11 empty column names never get as far as the name check.
    expectThrows(TableError, () => table(",,,,,,,,,,\n"), "more than 10 cells by line 1");
  });

  test("a row of a million empty fields is refused by the cell cap (the file size cap bounds the parse itself)", () => {
    setLimits({ maxTableCells: 1000 });
    expectThrows(TableError, () => table("a\n" + ",".repeat(1_000_000) + "\n"), "more than 1,000 cells by line 2");
  });
});

describe("the core runs without Node", () => {
  test("bundled by vite for the browser, parseCsv and table prep run in a context with no Buffer, process or require", async () => {
    // Oracle: a fresh V8 context holds only the language's builtins plus what we hand it (a page's
    // TextDecoder/TextEncoder). csv-parse's Node build ("csv-parse/sync") fails there with
    // "Buffer is not defined"; its browser build, which csv.ts imports, must not.
    const entry = join(dir, "entry.ts");
    const src = (f: string) => JSON.stringify(new URL(`../src/data/${f}`, import.meta.url).pathname);
    writeFileSync(entry, `import { parseCsv } from ${src("csv.ts")}; import { fitTablePrep, applyTablePrep } from ${src("table-prep.ts")};
      const t = parseCsv(new TextEncoder().encode("a,b,y\\n1,x,2\\n3,\\"z,w\\",4\\n"), "t.csv");
      globalThis.out = { rows: t.rows, x: Array.from(applyTablePrep(t, fitTablePrep(t, { targets: ["y"] })).x) };`);
    const result = await build({
      configFile: false, logLevel: "silent", root: dir,
      build: { write: false, minify: false, lib: { entry, formats: ["iife"], name: "bundle" } },
    });
    const code = (Array.isArray(result) ? result[0]! : result as { output: { code?: string }[] }).output[0]!.code!;
    expect(code).not.toMatch(/\brequire\(|from ["']node:/);
    const context = createContext({ TextDecoder, TextEncoder });
    runInContext(code, context);
    expect(JSON.parse(JSON.stringify(context.out))).toEqual({ rows: [["1", "x", "2"], ["3", "z,w", "4"]], x: [-1, 1, -1, 1, -1, 1] });
  });
});

describe("data.fromCsv", () => {
  // Oracle: the bundled file's own first row, standardised by hand with the column means and stds computed here.
  test("turns CSV text into a regression dataset and the record that encodes new rows the same way", async () => {
    const { fromCsv } = await import("../src/data/from-csv.js");
    const text = "size,rooms,price\n50,2,100\n70,3,150\n90,4,200\n";
    const { dataset, prep, featureNames } = fromCsv(text, { target: "price" });
    expect(featureNames).toEqual(["size", "rooms"]);
    expect(dataset.task).toBe("regression");
    expect(Array.from(dataset.targets)).toEqual([100, 150, 200]);
    const std = Math.sqrt(((50 - 70) ** 2 + 0 + (90 - 70) ** 2) / 3);
    expect(dataset.features[0]).toBeCloseTo((50 - 70) / std, 6);
    expect(prep.mean[0]).toBeCloseTo(70, 12);
  });
});
