// The run a figure shows and, while training sends new weights many times a second, the next run
// computed in the background on a snapshot of newer weights, shown once it is complete: no
// flash of a half-computed picture per progress report (euler-steps, velocity-field). A run is
// the figure's own object, made by `make()` (with a private copy of the model, so it keeps one
// set of weights while training goes on) and freed by `free(run)` (which takes null).
export class ShownRuns {
  constructor(make, free) {
    this.make = make;
    this.free = free;
    /** The run shown (null before the first). */
    this.cur = null;
    /** The run computing in the background on newer weights, or null. */
    this.next = null;
    // newer weights arrived while `next` was computing: another run follows it
    this.stale = false;
  }

  /** A fresh run, shown at once (settings changed, or a new model). */
  restart() {
    this.free(this.next);
    this.next = null;
    this.stale = false;
    this.free(this.cur);
    this.cur = this.make();
    return this.cur;
  }

  /**
   * New weights: while training (and with a run shown) the next run starts in the background, or
   * follows the one computing. Otherwise it returns true: the figure restarts (a fresh run at once).
   */
  weights(training) {
    if (!this.cur || !training) return true;
    if (this.next) this.stale = true;
    else this.next = this.make();
    return false;
  }

  /** `next` is complete: it replaces the run shown (and a stale one is followed by a newer). */
  promote() {
    this.free(this.cur);
    this.cur = this.next;
    this.next = this.stale ? this.make() : null;
    this.stale = false;
  }
}
