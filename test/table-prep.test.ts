/**
 * Table prep: column choice, one-hot encoding, imputation and standardisation fitted on the
 * training rows only. Oracles: small tables whose means, population stds and encodings are worked
 * out by hand in the comments; a JSON round trip (what the model file does) giving identical
 * numbers; hostile records refused with a FieldError naming the field.
 */
import { describe, expect, test } from "vitest";
import { parseCsv } from "../src/data/csv.js";
import { applyTablePrep, BOSTON_HOUSING, featureNames, fitTablePrep, inferColumnKind, parseCell, scaleTargets, unscaleTargets, validateTablePrep, type TablePrep } from "../src/data/table-prep.js";
import { TableError } from "../src/errors.js";
import { FieldError } from "../src/io/fields.js";
import { DEFAULT_LIMITS, setLimits } from "../src/limits.js";
import { loadBostonHousing } from "../src/node/csv.js";
import { expectClose, expectThrows } from "./helpers.js";

// Rows 0–3 train, rows 4–5 held out. size: 1, 2, 3, 6 → mean 3, population std √(14/4) = √3.5.
// colour (train): red, blue, red, green → categories [blue, green, red], frequencies .25 .25 .5.
const HOUSES = parseCsv(
  "size,colour,price,id\n1,red,10,a\n2,blue,20,b\n3,red,30,c\n6,green,60,d\n100,purple,5,e\n4,blue,40,f\n",
  "houses.csv",
);
const TRAIN = [0, 1, 2, 3];

describe("fitting on the training rows", () => {
  test("columns: default features are all but targets and the drop list; kinds inferred; one-hot names", () => {
    const prep = fitTablePrep(HOUSES, { targets: ["price"], drop: ["id", "nonexistent"], rows: TRAIN });
    expect(prep.features).toEqual([{ name: "size", kind: "numeric" }, { name: "colour", kind: "categorical", categories: ["blue", "green", "red"] }]);
    expect(featureNames(prep)).toEqual(["size", "colour=blue", "colour=green", "colour=red"]);
    expect(prep.rows).toBe(4);
    expect(prep.impute).toBeNull();
  });

  test("means and population stds come from the training rows only (row 4's size 100 and purple play no part)", () => {
    const prep = fitTablePrep(HOUSES, { targets: ["price"], features: ["size", "colour"], rows: TRAIN });
    // one-hot columns: blue 0,1,0,0 → mean .25, std √(.25·.75) = √.1875; green the same; red 1,0,1,0 → .5, .5
    expectClose(prep.mean, [3, 0.25, 0.25, 0.5], { atol: 0, rtol: 1e-15 });
    expectClose(prep.std, [Math.sqrt(3.5), Math.sqrt(0.1875), Math.sqrt(0.1875), 0.5], { atol: 0, rtol: 1e-15 });
    // price 10,20,30,60 → mean 30, std √((400+100+0+900)/4) = √350
    expect(prep.targets).toEqual([{ name: "price", mean: 30, std: Math.sqrt(350) }]);
  });

  test("applying standardises with the training statistics; an unseen category is all zeros before scaling, and counted", () => {
    const prep = fitTablePrep(HOUSES, { targets: ["price"], features: ["size", "colour"], rows: TRAIN });
    const d = applyTablePrep(HOUSES, prep, { rows: [4, 5] });
    const s = Math.sqrt(3.5);
    const b = Math.sqrt(0.1875);
    // row 4: size 100, purple (unseen → 0,0,0); row 5: size 4, blue (1,0,0)
    const expected = [(100 - 3) / s, -0.25 / b, -0.25 / b, -1, (4 - 3) / s, 0.75 / b, -0.25 / b, -1];
    expectClose(d.x, Float32Array.from(expected), { atol: 0, rtol: 0 }); // float64 math, one rounding to float32
    expect(Array.from(d.y!)).toEqual([5, 40]);
    expect(d.n).toBe(2);
    expect(d.unseen).toEqual([{ column: "colour", value: "purple", count: 1 }]);
    // Training rows standardise to mean 0, population std 1 per feature.
    const t = applyTablePrep(HOUSES, prep, { rows: TRAIN });
    for (let f = 0; f < 4; f++) {
      const col = [0, 1, 2, 3].map((i) => t.x[i * 4 + f]!);
      const m = col.reduce((a, v) => a + v, 0) / 4;
      expect(Math.abs(m)).toBeLessThan(1e-7);
      expect(Math.sqrt(col.reduce((a, v) => a + (v - m) ** 2, 0) / 4)).toBeCloseTo(1, 6);
    }
    expect(t.unseen).toEqual([]);
  });

  test("a saved prep, after a JSON round trip, gives the same numbers on a file with its columns in another order and no target", () => {
    const prep = fitTablePrep(HOUSES, { targets: ["price"], drop: ["id"], rows: TRAIN });
    const saved = validateTablePrep(JSON.parse(JSON.stringify(prep)));
    expect(saved).toEqual(prep);
    const rows = parseCsv("colour,extra,size\nblue,zzz,4\npurple,,100\n", "rows.csv");
    const d = applyTablePrep(rows, saved);
    const direct = applyTablePrep(HOUSES, prep, { rows: [5, 4] });
    expect(d.x).toEqual(direct.x);
    expect(d.y).toBeNull();
    expect(d.featureNames).toEqual(direct.featureNames);
  });

  test("a constant feature gets std 1 (not a division by zero)", () => {
    const t = parseCsv("k,y\n5,1\n5,2\n5,3\n", "k.csv");
    const prep = fitTablePrep(t, { targets: ["y"] });
    expect(prep.std).toEqual([1]);
    expect(Array.from(applyTablePrep(t, prep).x)).toEqual([0, 0, 0]);
  });

  test("numeric-looking codes can be forced categorical; several targets; y is [n, targets]", () => {
    const t = parseCsv("zip,a,y1,y2\n75001,1,1,10\n75002,2,2,20\n75001,3,3,30\n", "z.csv");
    const prep = fitTablePrep(t, { targets: ["y1", "y2"], categorical: ["zip"] });
    expect(featureNames(prep)).toEqual(["zip=75001", "zip=75002", "a"]);
    expect(Array.from(applyTablePrep(t, prep).y!)).toEqual([1, 10, 2, 20, 3, 30]);
    expect(inferColumnKind(t, "zip")).toBe("numeric");
  });

  test("scaleTargets / unscaleTargets use the training mean and std per target column, and invert each other", () => {
    const prep = { targets: [{ name: "a", mean: 30, std: 10 }, { name: "b", mean: -1, std: 0.5 }] };
    expect(Array.from(scaleTargets([40, 0, 10, -1.5], prep))).toEqual([1, 2, -2, -1]);
    expect(Array.from(unscaleTargets([1, 2, -2, -1], prep))).toEqual([40, 0, 10, -1.5]);
  });

  test("Boston with its default set-up: 12 features (no b, no medv), target cmedv", async () => {
    const boston = await loadBostonHousing();
    const prep = fitTablePrep(boston, BOSTON_HOUSING);
    expect(featureNames(prep)).toEqual(["crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax", "ptratio", "lstat"]);
    expect(prep.targets.map((t) => t.name)).toEqual(["cmedv"]);
    expect(prep.features.every((c) => c.kind === "numeric")).toBe(true);
    // b stays reachable by naming the features.
    expect(featureNames(fitTablePrep(boston, { targets: ["cmedv"], features: ["rm", "b"] }))).toEqual(["rm", "b"]);
  });
});

describe("missing values", () => {
  // x (train rows 0–3): 1, NA, 3, "" → observed mean 2; imputed values 1,2,3,2 → population std √(2/4).
  // c: a, b, NA, a → categories [a, b]; observed frequencies a 2/3, b 1/3.
  const T = parseCsv("x,c,y\n1,a,1\nNA,b,2\n3,NA,3\n,a,4\nnan,zzz,5\n", "m.csv");

  test("refused without impute, naming row, line, column and value", () => {
    expectThrows(TableError, () => fitTablePrep(T, { targets: ["y"] }), 'm.csv: row 2 (line 3), column "x" holds "NA", a missing-value marker — fill it in or drop the row, or impute the training mean');
    expectThrows(TableError, () => fitTablePrep(T, { targets: ["y"], features: ["c"] }), 'm.csv: row 3 (line 4), column "c" holds "NA"');
  });

  test("impute mean: the training mean of each encoded feature, i.e. exactly 0 after scaling; stds include the imputed cells", () => {
    const prep = fitTablePrep(T, { targets: ["y"], impute: "mean", rows: [0, 1, 2, 3] });
    expect(prep.impute).toBe("mean");
    expect(featureNames(prep)).toEqual(["x", "c=a", "c=b"]);
    // c=a over rows 0,1,3 observed 1,0,1 → mean 2/3; row 2 imputed at 2/3; population std √((1/9+4/9+0+1/9)/4) = √(1/6)
    expectClose(prep.mean, [2, 2 / 3, 1 / 3], { atol: 0, rtol: 1e-15 });
    expectClose(prep.std, [Math.sqrt(0.5), Math.sqrt(1 / 6), Math.sqrt(1 / 6)], { atol: 0, rtol: 1e-15 });
    const d = applyTablePrep(T, prep);
    expect(d.x[1 * 3 + 0]).toBe(0); // row 1's NA
    expect(d.x[3 * 3 + 0]).toBe(0); // row 3's empty cell
    expect([d.x[2 * 3 + 1], d.x[2 * 3 + 2]]).toEqual([0, 0]); // row 2's NA category
    expect(d.x[4 * 3 + 0]).toBe(0); // row 4 "nan" (held out): also missing, also imputed
    expect(d.unseen).toEqual([{ column: "c", value: "zzz", count: 1 }]);
  });

  test("a column with no training values at all cannot be imputed", () => {
    const t = parseCsv("x,y\nNA,1\n,2\n", "e.csv");
    expectThrows(TableError, () => fitTablePrep(t, { targets: ["y"], impute: "mean" }), 'e.csv: column "x" has no values in the training rows — nothing to impute from');
  });

  test("targets are never imputed", () => {
    const t = parseCsv("x,y\n1,1\n2,\n", "t.csv");
    expectThrows(TableError, () => fitTablePrep(t, { targets: ["y"], impute: "mean" }), 't.csv: row 2 (line 3), target column "y" is empty — every row needs a target value');
  });
});

describe("bad columns and cells", () => {
  test.each([
    ["a stray word in a numeric column", "x,y\n1,1\n2,2\n3,3\n4x,4\n", { targets: ["y"] }, 'b.csv: row 4 (line 5), column "x": "4x" is not a number, unlike 3 other training cells of the column — fix the cell, or if the column is a category, treat it as categorical'],
    ["a stray number among words", "x,y\nred,1\nblue,2\n7,3\n", { targets: ["y"] }, 'b.csv: row 3 (line 4), column "x": "7" is a number, unlike 2 other training cells'],
    ["a comma decimal", "x,y\n\"1,5\",1\n2,2\n3,3\n", { targets: ["y"] }, 'column "x": "1,5" is not a number'],
    ["a regression forced on a target of words", "x,y\n1,cheap\n2,dear\n", { targets: ["y"], task: "regression" as const }, 'b.csv: target column "y" holds class names ("cheap"), not numbers — a regression predicts numbers; drop the regression task to classify it'],
    ["a target of numbers and a word", "x,y\n1,1\n2,2\n3,lots\n", { targets: ["y"] }, 'b.csv: target column "y" holds numbers and also "lots" — fix the cell for a regression, or make every value a class with the classification task'],
    ["a class target beside a numeric one", "x,y,z\n1,a,1\n2,b,2\n", { targets: ["y", "z"] }, 'b.csv: target column "y" holds classes but "z" holds numbers — a classifier predicts one class column: give it alone as the target, or train a regression on the numeric ones'],
    ["two class targets", "x,y,z\n1,a,p\n2,b,q\n", { targets: ["y", "z"] }, 'b.csv: target column "y" holds classes — a classifier predicts one class column: give it alone as the target'],
    ["one class only", "x,y\n1,a\n2,a\n", { targets: ["y"] }, 'b.csv: target column "y" has only the class "a" in the training rows — a classifier needs at least two classes to tell apart'],
    ["a missing class", "x,y\n1,a\n2,NA\n3,b\n", { targets: ["y"] }, 'b.csv: row 2 (line 3), target column "y" holds "NA", a missing-value marker — every row needs a target value'],
    ["too many classes", "x,y\n1,a\n2,b\n3,c\n", { targets: ["y"], maxCategories: 2 }, 'b.csv: target column "y" has more than 2 different values in 3 training rows — too many classes'],
    ["a target too large for float32", "x,y\n1,1e39\n", { targets: ["y"] }, '"1e39" is not a number a float32 can hold'],
    ["an unknown target", "x,y\n1,1\n", { targets: ["price"] }, 'b.csv: no target column named "price" — the columns are "x", "y"'],
    ["an unknown feature", "x,y\n1,1\n", { targets: ["y"], features: ["z"] }, 'no feature column named "z"'],
    ["a target also a feature", "x,y\n1,1\n", { targets: ["y"], features: ["x", "y"] }, 'column "y" is both a target and a feature'],
    ["no targets", "x,y\n1,1\n", { targets: [] }, "no target column given"],
    ["no features left", "x,y\n1,1\n", { targets: ["y"], drop: ["x"] }, "no feature columns left"],
    ["a categorical column not among the features", "x,y,z\n1,1,1\n", { targets: ["y"], features: ["x"], categorical: ["z"] }, 'categorical column "z" is not among the features'],
    ["a category too long to keep", `x,y\n${"a".repeat(100_001)},1\n`, { targets: ["y"] }, 'b.csv: row 1 (line 2), column "x" holds 100,001 characters — too long for a category'],
    ["too many categories", "x,y\na,1\nb,2\nc,3\n", { targets: ["y"], maxCategories: 2 }, 'column "x" has more than 2 different values in 3 training rows — too many to one-hot encode'],
  ])("%s", (_what, text, opts, message) => {
    expectThrows(TableError, () => fitTablePrep(parseCsv(text, "b.csv"), opts), message);
  });

  test("a non-number met when applying to held-out rows is named too", () => {
    const t = parseCsv("x,y\n1,1\n2,2\n1e,3\n", "h.csv");
    const prep = fitTablePrep(t, { targets: ["y"], rows: [0, 1] });
    expectThrows(TableError, () => applyTablePrep(t, prep), 'h.csv: row 3 (line 4), column "x": "1e" is not a number — the column is numeric');
  });

  test("a table to predict must have every feature column, and all or none of the targets", () => {
    const prep = fitTablePrep(parseCsv("a,b,y1,y2\n1,2,3,4\n", "f.csv"), { targets: ["y1", "y2"] });
    expectThrows(TableError, () => applyTablePrep(parseCsv("a,y1\n1,2\n", "p.csv"), prep), 'p.csv: no feature column named "b"');
    expectThrows(TableError, () => applyTablePrep(parseCsv("a,b,y1\n1,2,3\n", "p.csv"), prep), 'p.csv: has target column "y1" but not "y2"');
  });

  test("the encoded size is capped by maxTableCells too (one-hot columns can multiply the cells)", () => {
    const t = parseCsv("a,y\nred,1\ngreen,2\nblue,3\n", "c.csv"); // 8 cells; one-hot: 3 rows × 3 categories = 9 values
    setLimits({ maxTableCells: 8 });
    try {
      expectThrows(TableError, () => fitTablePrep(t, { targets: ["y"] }), "c.csv: the encoded features would have 3 rows × 3 = 9 values — the limit is 8 cells; if the input is genuine, raise it with DESCENT_MAX_TABLE_CELLS=…");
      setLimits({ maxTableCells: 9 });
      expect(featureNames(fitTablePrep(t, { targets: ["y"] }))).toEqual(["a=blue", "a=green", "a=red"]);
    } finally {
      setLimits(DEFAULT_LIMITS);
    }
  });

  test("parseCell: decimal numbers only", () => {
    expect(["0", "-3", "+2.5", ".5", "5.", "1e-3", "2E+4"].map(parseCell)).toEqual([0, -3, 2.5, 0.5, 5, 0.001, 20000]);
    expect(["", " ", "0x10", "1,5", "Infinity", "1e999", "NaN", "1_000", "٣"].map(parseCell)).toEqual(Array(9).fill(undefined));
  });
});

describe("classification targets", () => {
  // Rows 0–3 train, rows 4–5 held out; the held-out row 5 holds a class the training rows lack.
  const IRIS = parseCsv("len,species\n1,setosa\n5,virginica\n2,setosa\n4,versicolor\n3,versicolor\n6,unknown\n", "iris.csv");

  test("a target of words is a classification: classes sorted by code unit, labels their indices, no y", () => {
    const prep = fitTablePrep(IRIS, { targets: ["species"], rows: [0, 1, 2, 3] });
    expect(prep.targets).toEqual([{ name: "species", mean: 0, std: 1, classes: ["setosa", "versicolor", "virginica"] }]);
    const data = applyTablePrep(IRIS, prep, { rows: [0, 1, 2, 3, 4] });
    expect(Array.from(data.labels!)).toEqual([0, 2, 0, 1, 1]);
    expect(data.y).toBeNull();
    // A JSON round trip (the model file) keeps the classes.
    expect(validateTablePrep(JSON.parse(JSON.stringify(prep)))).toEqual(prep);
  });

  test("a class the training rows never showed is refused at apply, naming the row and value", () => {
    const prep = fitTablePrep(IRIS, { targets: ["species"], rows: [0, 1, 2, 3] });
    expectThrows(TableError, () => applyTablePrep(IRIS, prep), 'iris.csv: row 6 (line 7), target column "species": "unknown" is not one of the 3 classes the model was trained on ("setosa", "versicolor", "virginica")');
    // …unless the targets are not read (predicting).
    expect(applyTablePrep(IRIS, prep, { targets: false }).labels).toBeNull();
  });

  test("task classification on a numeric column: its distinct values, sorted as numbers (2 before 10)", () => {
    const t = parseCsv("x,label\n1,10\n2,2\n3,0\n4,2\n", "n.csv");
    expect(fitTablePrep(t, { targets: ["label"] }).targets[0]!.classes).toBeUndefined(); // inferred: a regression
    const prep = fitTablePrep(t, { targets: ["label"], task: "classification" });
    expect(prep.targets[0]!.classes).toEqual(["0", "2", "10"]);
    expect(Array.from(applyTablePrep(t, prep).labels!)).toEqual([2, 1, 0, 1]);
  });
});

describe("validateTablePrep on hostile records", () => {
  const good = (): TablePrep => ({
    version: 1,
    features: [{ name: "size", kind: "numeric" }, { name: "colour", kind: "categorical", categories: ["blue", "red"] }],
    targets: [{ name: "price", mean: 30, std: 10 }],
    impute: null,
    mean: [3, 0.5, 0.5],
    std: [2, 0.5, 0.5],
    rows: 4,
  });

  test("a good record passes unchanged", () => {
    expect(validateTablePrep(good())).toEqual(good());
    const classifier = { ...good(), targets: [{ name: "kind", mean: 0, std: 1, classes: ["cheap", "dear"] }] };
    expect(validateTablePrep(classifier)).toEqual(classifier);
  });

  const cases: [string, (p: Record<string, unknown>) => unknown, string][] = [
    ["not an object", () => "prep", 'tablePrep must be an object {version, features, targets, impute, mean, std, rows}, found "prep"'],
    ["null", () => null, "tablePrep must be an object"],
    ["an unknown field", (p) => ({ ...p, evil: 1 }), 'tablePrep has an unknown field "evil"'],
    ["a missing field", (p) => ({ ...p, std: undefined, rows: 4 }), "tablePrep.std must be an array"],
    ["another version", (p) => ({ ...p, version: 2 }), "tablePrep.version must be 1 (the only version this descent reads), found 2"],
    ["features not an array", (p) => ({ ...p, features: { 0: "x" } }), "tablePrep.features must be an array"],
    ["no features", (p) => ({ ...p, features: [], mean: [], std: [] }), "tablePrep.features must be a non-empty array"],
    ["a feature that is a number", (p) => ({ ...p, features: [7] }), "tablePrep.features[0] must be an object {name, kind}, found 7"],
    ["an unknown kind", (p) => ({ ...p, features: [{ name: "a", kind: "ordinal" }] }), 'tablePrep.features[0].kind must be "numeric" or "categorical", found "ordinal"'],
    ["a name that is not a string", (p) => ({ ...p, features: [{ name: 5, kind: "numeric" }] }), "tablePrep.features[0].name must be a string"],
    ["categories not an array", (p) => ({ ...p, features: [{ name: "c", kind: "categorical", categories: "abc" }] }), "tablePrep.features[0].categories must be an array"],
    ["empty categories", (p) => ({ ...p, features: [{ name: "c", kind: "categorical", categories: [] }] }), "tablePrep.features[0].categories must be a non-empty array"],
    ["a category twice", (p) => ({ ...p, features: [{ name: "c", kind: "categorical", categories: ["a", "a"] }] }), 'tablePrep.features[0].categories[1] is "a", a category listed twice'],
    ["a category that is an object", (p) => ({ ...p, features: [{ name: "c", kind: "categorical", categories: [{}] }] }), "tablePrep.features[0].categories[0] must be a string"],
    ["a column named twice", (p) => ({ ...p, targets: [{ name: "size", mean: 0, std: 1 }] }), 'tablePrep.targets[0].name is "size", a column named twice'],
    ["no targets", (p) => ({ ...p, targets: [] }), "tablePrep.targets must be a non-empty array"],
    ["a zero target std", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 0 }] }), "tablePrep.targets[0].std must be a positive number, found 0"],
    ["a bad impute", (p) => ({ ...p, impute: "median" }), 'tablePrep.impute must be null or "mean", found "median"'],
    ["too few means", (p) => ({ ...p, mean: [1, 2] }), "tablePrep.mean has 2 values, expected 3 (one per encoded feature)"],
    ["a string mean", (p) => ({ ...p, mean: [1, "2", 3] }), 'tablePrep.mean[1] must be a number, found "2"'],
    ["a negative std", (p) => ({ ...p, std: [1, -1, 1] }), "tablePrep.std[1] must be a positive number, found -1"],
    ["a fractional row count", (p) => ({ ...p, rows: 2.5 }), "tablePrep.rows must be an integer ≥ 1, found 2.5"],
    ["classes not an array", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 1, classes: "ab" }] }), 'tablePrep.targets[0].classes must be an array of at least 2 class names, found "ab"'],
    ["one class", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 1, classes: ["a"] }] }), "tablePrep.targets[0].classes must be an array of at least 2 class names"],
    ["a class twice", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 1, classes: ["a", "b", "a"] }] }), 'tablePrep.targets[0].classes[2] is "a", a class listed twice'],
    ["a class that is a number", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 1, classes: ["a", 1] }] }), "tablePrep.targets[0].classes[1] must be a string"],
    ["a huge class name", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 1, classes: ["a", "x".repeat(100_001)] }] }), "tablePrep.targets[0].classes[1] must be a string of at most 100000 characters"],
    ["classes beside another target", (p) => ({ ...p, targets: [{ name: "y", mean: 0, std: 1, classes: ["a", "b"] }, { name: "z", mean: 0, std: 1 }] }), "tablePrep.targets has 2 columns, one of them with classes: a classifier has exactly one target column"],
    ["a huge name", (p) => ({ ...p, features: [{ name: "x".repeat(100_001), kind: "numeric" }] }), "tablePrep.features[0].name must be a string of at most 100000 characters"],
  ];
  test.each(cases)("%s", (_what, edit, message) => {
    expectThrows(FieldError, () => validateTablePrep(edit(good() as unknown as Record<string, unknown>), "tablePrep"), message);
  });

  test("a record with __proto__ keys is refused as an unknown field, not merged", () => {
    const hostile = JSON.parse('{"version":1,"features":[{"name":"a","kind":"numeric","__proto__":{"x":1}}],"targets":[{"name":"y","mean":0,"std":1}],"impute":null,"mean":[0],"std":[1],"rows":1}');
    expectThrows(FieldError, () => validateTablePrep(hostile), 'tablePrep.features[0] has an unknown field "__proto__"');
  });
});
