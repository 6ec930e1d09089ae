/**
 * Errors a user can cause (bad shapes, bad files, bad flags). The CLI prints their message without
 * a stack trace; anything else is a bug in descent and keeps its stack.
 */
export class DescentError extends Error {
  override name = "DescentError";
}

/** Tensor shapes that do not fit an op or a layer. */
export class ShapeError extends DescentError {
  override name = "ShapeError";
}

/** A malformed IDX (MNIST) file. */
export class IdxError extends DescentError {
  override name = "IdxError";
}

/** A malformed or mismatched model file. */
export class ModelFileError extends DescentError {
  override name = "ModelFileError";
}

/** A CSV table that cannot be read or used as asked: bad CSV, unknown columns, missing or non-numeric cells. */
export class TableError extends DescentError {
  override name = "TableError";
}

/** An invalid option or argument (CLI exit code 2). */
export class UsageError extends DescentError {
  override name = "UsageError";
}

/** True for errors whose message is meant for the user as is. */
export const isUserError = (e: unknown): e is DescentError => e instanceof DescentError;
