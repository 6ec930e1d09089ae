/**
 * The settings form: every field of Settings as a labelled, keyboard-reachable control, with its
 * own words and help in the page's language (train-strings.ts; the CLI's English help stays in
 * src/experiment/settings.ts). The task comes first: choosing it loads that task's preset, and the
 * presets, costs and outputs offered follow it (a regression takes mse or quadratic, and no softmax).
 * A value that is not valid is marked where it is typed (aria-invalid and a message beside the
 * field); the run keeps the last valid settings until it is corrected.
 */
import { PRESETS } from "../../../src/train/presets.js";
import { lang } from "../i18n.js";
import { choiceName, hasString, presetDescription, t, type TrainKey } from "../train-strings.js";
import {
  ACTIVATION_CHOICES, COST_CHOICES, INIT_CHOICES, OPTIMIZER_CHOICES, OUTPUT_CHOICES, TASKS, TASK_PRESETS,
  costChoices, explorerPresets, layerSizes, netLooksValid, numberProblem, numberRule, outputChoices, sameSettings, settingsFromPreset, type Settings, type Task,
} from "../state.js";

type Field = keyof Settings;

const FIELDS: { field: Exclude<Field, "task" | "preset">; choices?: readonly string[]; numeric?: boolean }[] = [
  { field: "net" },
  { field: "activation", choices: ACTIVATION_CHOICES },
  { field: "output", choices: OUTPUT_CHOICES },
  { field: "cost", choices: COST_CHOICES },
  { field: "init", choices: INIT_CHOICES },
  { field: "optimizer", choices: OPTIMIZER_CHOICES },
  { field: "lr", numeric: true },
  { field: "momentum", numeric: true },
  { field: "batchSize", numeric: true },
  { field: "l2", numeric: true },
  { field: "l1", numeric: true },
  { field: "dropout", numeric: true },
  { field: "seed", numeric: true },
];

/** Why a typed number is not valid for `field`, in the page's words, or null. "0,5" is read as 0.5. */
export function numberMessage(field: Field, typed: string): { value: number; message: string | null } {
  const text = typed.trim().replace(",", ".");
  const v = text === "" || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? NaN : Number(text);
  const rule = numberRule(field);
  if (!rule) return { value: v, message: null };
  const ok = Number.isFinite(v) && ruleHolds(field, v);
  const words = t(rule.integer ? "ruleInteger" : "ruleNumber", { range: rule.range });
  return { value: v, message: ok ? null : t("invalidNumber", { value: typed.trim(), rule: words }) };
}

const ruleHolds = (field: Field, v: number) => numberProblem(field, v) === null;

/** A number as the form writes it: 0.5 in English, 0,5 in French. */
const written = (v: number) => (lang() === "fr" ? String(v).replace(".", ",") : String(v));

export class SettingsForm {
  private readonly inputs = new Map<Field, HTMLInputElement | HTMLSelectElement>();
  private readonly labels = new Map<Field, HTMLLabelElement>();
  private readonly errors = new Map<Field, HTMLElement>();
  private settings: Settings;

  constructor(private readonly form: HTMLFormElement, initial: Settings, private readonly onChange: (s: Settings) => void) {
    this.settings = initial;
    this.addSelect("task", TASKS);
    this.addSelect("preset", [...explorerPresets(), "custom"]);
    for (const spec of FIELDS) {
      if (spec.choices) this.addSelect(spec.field, spec.choices);
      else this.addInput(spec.field, spec.numeric ?? false);
    }
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("change", (e) => this.changed(e.target as HTMLElement));
    this.relabel();
    this.show(initial);
  }

  get value(): Settings {
    return this.settings;
  }

  /** Words the labels, help and option names in the page's language (values typed are kept). */
  relabel(): void {
    for (const [field, label] of this.labels) {
      label.textContent = t(`${field}.label` as TrainKey);
      this.inputs.get(field)!.title = t(`${field}.help` as TrainKey);
    }
    const task = this.inputs.get("task") as HTMLSelectElement;
    for (const o of task.options) o.textContent = t(`task.${o.value as Task}`);
    const preset = this.inputs.get("preset") as HTMLSelectElement;
    for (const o of preset.options) {
      if (o.value === "custom") o.textContent = t("preset.custom");
      // A preset added since these tables were written keeps the CLI's description.
      else o.title = hasString("train.presets", o.value) ? presetDescription(o.value as Parameters<typeof presetDescription>[0]) : (PRESETS[o.value]?.description ?? "");
    }
    for (const field of ["activation", "output", "cost", "init", "optimizer"] as const) {
      for (const o of (this.inputs.get(field) as HTMLSelectElement).options) {
        const key = `${field}.${o.value}`;
        o.textContent = hasString("train.choices", key) ? choiceName(key as Parameters<typeof choiceName>[0]) : o.value;
      }
    }
    // Numbers as the language writes them, and any message in its words.
    for (const { field, numeric } of FIELDS) {
      const el = this.inputs.get(field) as HTMLInputElement;
      if (numeric && el.getAttribute("aria-invalid") !== "true") el.value = written(this.settings[field] as number);
      else if (el.getAttribute("aria-invalid") === "true") this.validate(field, el);
    }
    this.markArch();
  }

  private addSelect(field: Field, choices: readonly string[]): HTMLSelectElement {
    const select = document.createElement("select");
    select.id = `set-${field}`;
    select.name = field;
    for (const c of choices) {
      const o = document.createElement("option");
      o.value = c;
      o.textContent = c;
      select.append(o);
    }
    this.wrap(field, select);
    return select;
  }

  private addInput(field: Field, numeric: boolean): HTMLInputElement {
    const input = document.createElement("input");
    input.id = `set-${field}`;
    input.name = field;
    input.type = "text";
    input.spellcheck = false;
    // A text field, so that whatever is typed ("abc", "0,5") stays visible and can be marked.
    if (numeric) input.inputMode = field === "batchSize" || field === "seed" ? "numeric" : "decimal";
    this.wrap(field, input);
    return input;
  }

  private wrap(field: Field, el: HTMLInputElement | HTMLSelectElement) {
    const l = document.createElement("label");
    l.htmlFor = el.id;
    const div = document.createElement("div");
    div.className = "field";
    const err = document.createElement("span");
    err.className = "field-error";
    err.id = `${el.id}-error`;
    err.hidden = true;
    err.setAttribute("aria-live", "polite");
    div.append(l, el, err);
    this.form.append(div);
    this.inputs.set(field, el);
    this.labels.set(field, l);
    this.errors.set(field, err);
  }

  show(s: Settings): void {
    this.settings = s;
    // The task's own presets, costs and outputs.
    this.offer("preset", [...explorerPresets(s.task), "custom"]);
    this.offer("cost", costChoices(s.task));
    this.offer("output", outputChoices(s.task));
    for (const [field, el] of this.inputs) {
      const v = s[field];
      el.value = typeof v === "number" ? written(v) : String(v);
      this.mark(field, null);
    }
    this.markArch();
  }

  /** A one-line architecture names its own activations, output and dropout. */
  private markArch(): void {
    const arch = layerSizes(this.settings.net) === null;
    for (const field of ["activation", "output", "dropout"] as const) {
      const el = this.inputs.get(field)!;
      el.disabled = arch;
      if (arch) el.title = t("setByArch");
      else el.title = t(`${field}.help`);
    }
  }

  /** Shows only `allowed` of a select's options (the others stay in the list, hidden and disabled). */
  private offer(field: Field, allowed: readonly string[]): void {
    const select = this.inputs.get(field) as HTMLSelectElement;
    for (const o of select.options) {
      o.hidden = o.disabled = !allowed.includes(o.value);
    }
  }

  /** Marks a field invalid with `message` beside it (aria-invalid, aria-describedby, the validity message), or clears it. */
  private mark(field: Field, message: string | null): void {
    const el = this.inputs.get(field)!;
    const err = this.errors.get(field)!;
    if (el instanceof HTMLInputElement) el.setCustomValidity(message ?? "");
    if (message) {
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", err.id);
      err.textContent = message;
      err.hidden = false;
    } else {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      err.textContent = "";
      err.hidden = true;
    }
  }

  /** Checks a typed field; marks it; returns its value when valid. */
  private validate(field: Field, el: HTMLInputElement): number | string | null {
    if (field === "net") {
      const v = el.value.trim();
      const ok = netLooksValid(v);
      this.mark(field, ok ? null : t("invalidNet", { value: v.slice(0, 60) }));
      return ok ? v : null;
    }
    const { value, message } = numberMessage(field, el.value);
    this.mark(field, message);
    return message ? null : value;
  }

  private changed(target: HTMLElement): void {
    const field = (target as HTMLInputElement).name as Field;
    let next: Settings;
    if (field === "task") {
      next = settingsFromPreset(TASK_PRESETS[(target as HTMLSelectElement).value as Task]);
    } else if (field === "preset") {
      const name = (target as HTMLSelectElement).value;
      next = name === "custom" ? { ...this.settings, preset: "custom" } : settingsFromPreset(name);
    } else {
      next = { ...this.settings };
      const el = this.inputs.get(field)!;
      if (el instanceof HTMLInputElement) {
        const v = this.validate(field, el);
        // Marked where it is typed; the run keeps its last valid value until it is corrected.
        if (v === null) return;
        (next as unknown as Record<string, number | string>)[field] = v;
      } else {
        (next as unknown as Record<string, string>)[field] = el.value;
      }
      if (next.preset !== "custom" && !sameSettings(next, settingsFromPreset(next.preset))) next.preset = "custom";
    }
    this.show(next);
    this.onChange(next);
  }
}
