export { TensorDataset, DataLoader, type Dataset, type Example, type Batch, type DataLoaderOptions } from "./dataset.js";
export { parseIdx, type IdxArray, type IdxDType } from "./idx.js";
export { mnistFromIdx, mnistFileNames, MNIST_FILES, type Mnist, type IdxFile, type MnistFiles, type MnistOptions } from "./mnist.js";
export { mnistLike, toInk, looksInverted, type RawImage, type MnistLikeResult } from "./preprocess.js";
export { oneHot } from "../nn/losses.js";
export { shiftImage, expandByShifts, affineMatrix, affineSample, augmentBatch, augmenter, type AugmentOptions, type AffineMatrix } from "./augment.js";
export { parseCsv, type Table } from "./csv.js";
export { fitTablePrep, applyTablePrep, validateTablePrep, featureNames, inferColumnKind, parseCell, scaleTargets, unscaleTargets, MISSING_VALUES, BOSTON_HOUSING, type TablePrep, type TablePrepOptions, type TableData, type FeatureColumn, type NumericColumn, type CategoricalColumn, type TargetColumn, type UnseenCategory } from "./table-prep.js";
export { splitIndices, kFoldIndices, checkFractions, type Split, type Fold } from "./split.js";
