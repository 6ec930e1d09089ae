/**
 * The training page's one state object: the settings, the model on screen, its run, and every
 * measurement stamped with the run and step it belongs to. The worker's messages go through
 * receive(); every panel renders from the state, and says "as of step N" when its measurement
 * lags the run (lagBehind). Pure code, no DOM: test/web-state.test.ts drives it with messages.
 */
import type { EvalReport, Nudge, RegressionReport, TrainPoint } from "./session.js";
import type { ErrorCode, FromWorker, ModelInfo, Params, StatusCode } from "./protocol.js";
import type { Settings } from "./state.js";

export interface Stamp {
  run: number;
  step: number;
}

export interface Warning {
  /** The run that raised it (null: raised outside any run, e.g. by a file that is not a model). */
  run: number | null;
  code: ErrorCode;
  params: Params;
}

export interface PageState {
  settings: Settings;
  model: ModelInfo | null;
  run: {
    id: number;
    /** The step training has reached in this run. */
    step: number;
    epoch: number;
    stepsPerSecond: number;
    phase: "loading" | "idle" | "running";
    status: { code: StatusCode; params: Params };
  };
  measurements: {
    train: (TrainPoint & Stamp) | null;
    eval: (EvalReport & Stamp) | null;
    /** An evaluation under way: the step whose weights it scores, and how far it is. */
    evaluating: (Stamp & { done: number }) | null;
    regression: (RegressionReport & Stamp) | null;
    weights: Stamp | null;
    nudges: (Stamp & { list: Nudge[]; byLayer: Nudge[][] }) | null;
    prediction: Stamp | null;
  };
  warning: Warning | null;
  /** The form no longer describes the model in use: Play starts a new network. */
  settingsChanged: boolean;
}

const emptyMeasurements = (): PageState["measurements"] => ({
  train: null, eval: null, evaluating: null, regression: null, weights: null, nudges: null, prediction: null,
});

export function newPageState(settings: Settings): PageState {
  return {
    settings,
    model: null,
    run: { id: 0, step: 0, epoch: 0, stepsPerSecond: NaN, phase: "loading", status: { code: "starting", params: {} } },
    measurements: emptyMeasurements(),
    warning: null,
    settingsChanged: false,
  };
}

/**
 * Applies one message from the worker; returns false when it was dropped (it belongs to an older
 * run). A new model starts a new run: a new history, no measurements, no warning.
 */
export function receive(state: PageState, msg: FromWorker): boolean {
  const m = state.measurements;
  const current = (run: number) => run === state.run.id;
  switch (msg.type) {
    case "model":
      if (msg.model.run === state.run.id) {
        // The same run described anew (a loaded model now trained here): its history goes on.
        state.model = msg.model;
        return true;
      }
      state.model = msg.model;
      state.run = { ...state.run, id: msg.model.run, step: 0, epoch: 0, stepsPerSecond: NaN };
      state.measurements = emptyMeasurements();
      state.warning = null;
      state.settingsChanged = false;
      return true;
    case "status":
      state.run.phase = msg.phase;
      state.run.status = { code: msg.code, params: msg.params ?? {} };
      return true;
    case "train":
      if (!current(msg.run)) return false;
      state.run.step = msg.point.step;
      state.run.epoch = msg.point.epoch;
      if (Number.isFinite(msg.stepsPerSecond)) state.run.stepsPerSecond = msg.stepsPerSecond;
      m.train = { ...msg.point, run: msg.run };
      return true;
    case "evaluating":
      if (!current(msg.run)) return false;
      m.evaluating = msg.step === null ? null : { run: msg.run, step: msg.step, done: msg.done };
      return true;
    case "eval":
      if (!current(msg.run)) return false;
      m.eval = { ...msg.report, run: msg.run };
      if (m.evaluating && m.evaluating.step <= msg.report.step) m.evaluating = null;
      return true;
    case "regression":
      if (!current(msg.run)) return false;
      m.regression = { ...msg.report, run: msg.run };
      return true;
    case "weights":
      if (!current(msg.run)) return false;
      m.weights = { run: msg.run, step: msg.step };
      return true;
    case "nudges":
      if (!current(msg.run)) return false;
      m.nudges = { run: msg.run, step: msg.step, list: msg.list, byLayer: msg.byLayer };
      return true;
    case "prediction":
      if (!current(msg.run)) return false;
      m.prediction = { run: msg.run, step: msg.step };
      return true;
    case "error":
      if (msg.run !== null && !current(msg.run)) return false;
      state.warning = { run: msg.run, code: msg.code, params: msg.params };
      // A stopped run is not being evaluated any more.
      if (msg.run !== null) m.evaluating = null;
      return true;
    default:
      return true;
  }
}

/** The step a measurement describes when it lags the run (null when it is current, or absent). */
export function lagBehind(state: PageState, stamp: Stamp | null): number | null {
  if (!stamp || stamp.run !== state.run.id) return null;
  return stamp.step < state.run.step ? stamp.step : null;
}

/** The form changed: it no longer describes the model on screen (Play starts a new network). */
export function settingsEdited(state: PageState, settings: Settings): void {
  state.settings = settings;
  state.settingsChanged = true;
}
