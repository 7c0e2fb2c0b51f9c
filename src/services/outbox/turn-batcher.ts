/**
 * Gathers the questions asked within one turn of the event loop, per tenant, and asks them in
 * one call: answers that arrive together (a batch's deliveries, their settlements) share a
 * round trip, and an idle caller waits no longer than the current turn. At most `maxBatch`
 * questions go into one call, so one script never holds Redis for long.
 */
export class TurnBatcher<Question, Answer> {
  private readonly waiting = new Map<
    string,
    { question: Question; resolve(answer: Answer): void; reject(error: unknown): void }[]
  >();
  private scheduled = false;

  constructor(
    /** Answers the questions in order; a rejection fails every question of the call. */
    private readonly askAll: (tenant: string, questions: Question[]) => Promise<Answer[]>,
    private readonly maxBatch = 64,
  ) {}

  ask(tenant: string, question: Question): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(tenant);
      if (list === undefined) this.waiting.set(tenant, [{ question, resolve, reject }]);
      else list.push({ question, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn, so questions that arrived together share a call.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batches = [...this.waiting];
    this.waiting.clear();
    for (const [tenant, list] of batches) {
      for (let i = 0; i < list.length; i += this.maxBatch) {
        const batch = list.slice(i, i + this.maxBatch);
        // Through a promise, so even a call that throws at once fails only its questions.
        Promise.resolve()
          .then(() =>
            this.askAll(
              tenant,
              batch.map((w) => w.question),
            ),
          )
          .then(
            (answers) => {
              for (const [j, w] of batch.entries()) w.resolve(answers[j] as Answer);
            },
            (error: unknown) => {
              for (const w of batch) w.reject(error);
            },
          );
      }
    }
  }
}
