/**
 * The settings form: every field of Settings as a labelled, keyboard-reachable control. The task
 * comes first: choosing it loads that task's preset, and the presets, costs and outputs offered
 * follow it (a regression takes mse or quadratic, and no softmax).
 */
import { PRESETS } from "../../../src/train/presets.js";
import {
  ACTIVATION_CHOICES, COST_CHOICES, INIT_CHOICES, OPTIMIZER_CHOICES, OUTPUT_CHOICES, TASKS, TASK_LABELS, TASK_PRESETS,
  costChoices, explorerPresets, layerSizes, numberProblem, outputChoices, sameSettings, settingsFromPreset, type Settings, type Task,
} from "../state.js";

type Field = keyof Settings;

interface FieldSpec {
  field: Field;
  label: string;
  choices?: readonly string[];
  step?: string;
  title?: string;
}

const FIELDS: FieldSpec[] = [
  { field: "net", label: "Layers / architecture", title: "784,16,16,10 — or a one-line architecture like conv20x5,relu,maxpool2,fc100,relu,fc10,softmax" },
  { field: "activation", label: "Activation", choices: ACTIVATION_CHOICES },
  { field: "output", label: "Output", choices: OUTPUT_CHOICES },
  { field: "cost", label: "Cost", choices: COST_CHOICES },
  { field: "init", label: "Init", choices: INIT_CHOICES },
  { field: "optimizer", label: "Optimizer", choices: OPTIMIZER_CHOICES },
  { field: "lr", label: "Learning rate η", step: "any" },
  { field: "momentum", label: "Momentum", step: "any" },
  { field: "batchSize", label: "Batch size", step: "1" },
  { field: "l2", label: "L2 λ", step: "any" },
  { field: "l1", label: "L1 λ", step: "any" },
  { field: "dropout", label: "Dropout", step: "any" },
  { field: "seed", label: "Seed", step: "1" },
];

export class SettingsForm {
  private readonly inputs = new Map<Field, HTMLInputElement | HTMLSelectElement>();
  private settings: Settings;

  constructor(private readonly form: HTMLFormElement, initial: Settings, private readonly onChange: (s: Settings) => void) {
    this.settings = initial;
    const task = this.addSelect("task", "Task", TASKS);
    for (const o of task.options) o.textContent = TASK_LABELS[o.value as Task];
    task.title = "what the network learns: MNIST's handwritten digits, or house prices from a table";
    const preset = this.addSelect("preset", "Preset", [...explorerPresets(), "custom"]);
    preset.title = "a named experiment from the books";
    for (const spec of FIELDS) {
      const el = spec.choices ? this.addSelect(spec.field, spec.label, spec.choices) : this.addInput(spec);
      if (spec.title) el.title = spec.title;
    }
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("change", (e) => this.changed(e.target as HTMLElement));
    this.show(initial);
  }

  get value(): Settings {
    return this.settings;
  }

  private addSelect(field: Field, label: string, choices: readonly string[]): HTMLSelectElement {
    const select = document.createElement("select");
    select.id = `set-${field}`;
    select.name = field;
    for (const c of choices) {
      const o = document.createElement("option");
      o.value = c;
      o.textContent = c;
      if (field === "preset" && PRESETS[c]) o.title = PRESETS[c]!.description;
      select.append(o);
    }
    this.wrap(select, label);
    this.inputs.set(field, select);
    return select;
  }

  private addInput(spec: FieldSpec): HTMLInputElement {
    const input = document.createElement("input");
    input.id = `set-${spec.field}`;
    input.name = spec.field;
    if (spec.step) {
      input.type = "number";
      input.step = spec.step;
      input.min = "0";
    } else {
      input.type = "text";
      input.spellcheck = false;
    }
    this.wrap(input, spec.label);
    this.inputs.set(spec.field, input);
    return input;
  }

  private wrap(el: HTMLElement, label: string) {
    const l = document.createElement("label");
    l.htmlFor = el.id;
    l.textContent = label;
    const div = document.createElement("div");
    div.className = "field";
    div.append(l, el);
    this.form.append(div);
  }

  show(s: Settings): void {
    this.settings = s;
    // The task's own presets, costs and outputs.
    this.offer("preset", [...explorerPresets(s.task), "custom"]);
    this.offer("cost", costChoices(s.task));
    this.offer("output", outputChoices(s.task));
    for (const [field, el] of this.inputs) el.value = String(s[field]);
    // A one-line architecture names its own activations, output and dropout.
    const arch = layerSizes(s.net) === null;
    for (const field of ["activation", "output", "dropout"] as const) {
      const el = this.inputs.get(field)!;
      el.disabled = arch;
      el.title = arch ? "set by the architecture line" : "";
    }
  }

  /** Shows only `allowed` of a select's options (the others stay in the list, hidden and disabled). */
  private offer(field: Field, allowed: readonly string[]): void {
    const select = this.inputs.get(field) as HTMLSelectElement;
    for (const o of select.options) {
      o.hidden = o.disabled = !allowed.includes(o.value);
    }
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
      const numeric = el instanceof HTMLInputElement && el.type === "number";
      if (numeric) {
        const v = el.value.trim() === "" ? NaN : Number(el.value);
        // Marked where it is typed, with the range from the settings table; the run keeps its last valid value.
        const problem = numberProblem(field as keyof Settings, v);
        (el as HTMLInputElement).setCustomValidity(problem ? `${el.value} is not valid here: expected ${problem}` : "");
        el.title = problem ? `expected ${problem}` : "";
        if (problem) {
          (el as HTMLInputElement).reportValidity();
          return;
        }
        (next as unknown as Record<string, number>)[field] = v;
      } else {
        (next as unknown as Record<string, string>)[field] = el.value.trim();
      }
      if (next.preset !== "custom" && !sameSettings(next, settingsFromPreset(next.preset))) next.preset = "custom";
    }
    this.show(next);
    this.onChange(next);
  }
}
