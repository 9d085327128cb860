// The figure contract: what a figure's folder (www/figures/<id>/index.js) exports as its default,
// and all the shell reads of it. Types only, no code: tests/shell.test.js reads the @typedef blocks
// below and checks every figure's definition against FigureDefinition (each required field
// present with its type, no field the contract does not name), so this comment cannot drift
// from the figures. Types the check understands: string, boolean, object, Object<string, T>,
// Array<T>, A|B, function(...) and the typedefs of this file.

/**
 * A figure definition.
 * @typedef {object} FigureDefinition
 * @property {string} id  the figure's id: its folder, its `data-cfg-figure`, its URL-state prefix
 * @property {string} title  the figure's title (a heading at the page's level)
 * @property {string} [post]  where in the post it belongs ("Fig. 1"), after the title
 * @property {Array<object>} params  its settings (www/shell/params.js P, …), each with its `effect`
 *   (www/shell/effects.js fx) and, if it can do nothing, `unused(state)`
 * @property {Array<string>} controls  the keys of the settings shown as controls, in order
 * @property {Object<string, string>} [on]  what a change that is not a setting invalidates:
 *   'model', 'drawing', … → an effect
 * @property {Array<string|Array<string>>} [effects]  the effects, strongest first; a list of
 *   lists for independent chains (effects.js)
 * @property {function(object): Array<Node|string>} caption  (fig) → the caption, about 50 words at most
 * @property {function(object): Array<Node|string>} howToRead  (fig) → the full explanation, behind
 *   a "How to read this figure" disclosure
 * @property {function(object): FigureImpl} create  (fig) → the mounted figure's implementation
 * @property {Array<string>} [styles]  its stylesheets, as paths from its folder ('style.css',
 *   '../shared/flow-player.css'), loaded into its shadow root before `create`
 * @property {boolean} [wide]  takes the page's full width
 * @property {boolean} [animates]  it plays an animation (its implementation returns its `playHead`,
 *   a PlayHead, its bar shown or not): the GIF and WebM buttons record one loop of it
 *   (www/shell/record.js; every figure's training panel records a training run without it)
 * @property {boolean} [trainable]  false: no training panel, exports or loading
 * @property {string} [dataset]  the data set when no setting names one (default 'face')
 * @property {string} [trainLabel]  the train button's text
 * @property {string} [trainNote]  the training panel's note
 * @property {string} [resetLabel]  the text of the button back to the shipped model
 * @property {FigureTraining} [training]  for a figure that trains something other than its
 *   velocity model (a classifier, a student)
 * @property {function(object): Promise<object>} [loadModel]  (fig) → the model to show, instead of
 *   the data set's pretrained one
 * @property {function(object): string} [exportModel]  (fig) → the model file the Model button saves
 * @property {function(object): object} [drawn]  (fig) → the drawn points a training run uses
 * @property {function(object, object): void} [loadPoints]  (fig, drawn) for a points file
 *   (www/shell/load.js)
 * @property {function(object, object): void} [loadDrawnModel]  (fig, model) for a model trained
 *   on drawn points
 * @property {function(object, string, string): Promise<void>} [loadSubject]  (fig, text, name):
 *   a loaded model file becomes the figure's subject (definitions with `training`)
 */

/**
 * What a figure trains in the worker when it is not its velocity model.
 * @typedef {object} FigureTraining
 * @property {string} kind  the worker's job ('classifier', 'reflow', 'distill')
 * @property {function(object): object} [spec]  (fig) → more for the worker (a teacher's file)
 * @property {function(object, object): void} begin  (fig, options): a fresh subject to train
 * @property {function(object, Float32Array, number): void} setParams  (fig, params, step): new weights
 */

/**
 * What `create(fig)` returns (not checked by the test: it needs a mounted figure).
 * @typedef {object} FigureImpl
 * @property {function(): void} layout  sizes the plots to fig.width()
 * @property {function(Array<string>): void} [changed]  keys that changed and no effect handles
 * @property {function(): boolean} [ready]  false while it cannot take changes yet
 * @property {function(number, number): boolean} [frame]  (now, budget ms) → whether to keep animating
 * @property {function(): boolean} [whole]  false while its first frames have not yet drawn all of it
 *   (a first draw spread over frames): the shell shows the figure once it is whole
 *
 * and one method per effect it declares, (keys) → void.
 */

export {};
