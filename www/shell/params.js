// The settings many figures share: each a constructor of a settings-table entry (www/shell/state.js
// parses and formats them; www/shell/controls.js draws them). A figure adds what a change to each
// invalidates with fx() (www/shell/effects.js).

// the shipped data sets; a test checks this list against the Rust core's (tests/shared-data.test.js)
const DATASETS = ['non-overlapping', 'overlapping', 'multimodal', 'face', 'two-moons', 'spirals', 'rings', 'three-blobs'];
export const P = {
  dataset: (d = 'face', options = DATASETS) => ({ key: 'dataset', label: 'data set', type: 'enum', default: d, options, help: 'The 2D training data: each colour is a class.' }),
  cls: (d, allowNull = false) => ({ key: 'class', label: 'class', type: 'name', default: d, allowNull, help: 'The class label c given to the model (null: no label, the unconditional velocity).' }),
  w: (d = 3, max = 12) => ({ key: 'w', label: 'guidance w', type: 'number', default: d, min: 0, max, step: 0.1, help: 'Guidance scale: 0 is unconditional, 1 conditional, above 1 pushes past the class (v = v_u + w·(v_c − v_u)).' }),
  t: (d = 0.5) => ({ key: 't', label: 'time t', type: 'number', default: d, min: 0, max: 1, step: 0.01, help: 't = 0 is pure noise, t = 1 is data.' }),
  steps: (d = 40, max = 200) => ({ key: 'steps', label: 'sampling steps', type: 'int', default: d, min: 1, max, step: 1, help: 'Number of ODE steps from noise to data.' }),
  solver: (d = 'euler') => ({ key: 'solver', label: 'solver', type: 'enum', default: d, options: ['euler', 'heun'], help: 'Euler: one velocity per step. Heun: two, second-order accurate.' }),
  n: (d = 1000, max = 4000) => ({ key: 'n', label: 'particles', type: 'int', default: d, min: 10, max, step: 10, help: 'How many samples to draw.' }),
  seed: (d = 1) => ({ key: 'seed', label: 'seed', type: 'int', default: d, min: 0, max: 4294967295, step: 1, help: 'Seed of the starting noise: the same seed gives the same samples.' }),
  exact: () => ({ key: 'exact', label: 'ground truth', type: 'bool', default: false, help: 'Follow the exact velocity of the data (a Gaussian mixture) instead of the network, to tell the method’s effects from model error.' }),
  lr: () => ({ key: 'lr', label: 'learning rate', type: 'number', default: 0.002, min: 0.0001, max: 10, step: 0.0001, help: 'Adam’s step size.' }),
  width: () => ({ key: 'width', label: 'width', type: 'int', default: 64, min: 8, max: 256, step: 8, help: 'Neurons per hidden layer.' }),
  depth: () => ({ key: 'depth', label: 'depth', type: 'int', default: 3, min: 1, max: 6, step: 1, help: 'Number of hidden layers.' }),
  dropout: () => ({ key: 'dropout', label: 'label dropout', type: 'number', default: 0.2, min: 0, max: 1, step: 0.05, help: 'Probability that a training label is replaced by the null label: how the same network learns v_u.' }),
  trainSteps: () => ({ key: 'trainSteps', label: 'training steps', type: 'int', default: 3000, min: 100, max: 20000, step: 100, help: 'Length of the training run.' }),
};
/** The settings of "Train in your browser": they matter to the next run only. */
export const TRAIN_KEYS = ['lr', 'width', 'depth', 'dropout', 'trainSteps'];
export const trainParams = () => TRAIN_KEYS.map((k) => P[k]());
