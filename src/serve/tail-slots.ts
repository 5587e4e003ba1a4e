/** At most this many live tails at once: each holds a file open and a timer. */
const MAX_TAILS = 64;
/** And this many per client, so that one cannot take them all (a browser opens 6 connections to a host at most). */
const MAX_TAILS_PER_CLIENT = 8;

/** The live tails open, in all and per client (a Bearer client's address or a browser's pass). */
export class TailSlots {
  private total = 0;
  private readonly held = new Map<string, number>();

  /** A slot for `client` and the function that gives it back (once), or the HTTP status and reason there is none. */
  take(client: string): { release: () => void } | { status: number; refusal: string } {
    const mine = this.held.get(client) ?? 0;
    if (mine >= MAX_TAILS_PER_CLIENT) return { status: 429, refusal: `you already have ${MAX_TAILS_PER_CLIENT} live tails open; close one` };
    if (this.total >= MAX_TAILS) return { status: 503, refusal: `already ${MAX_TAILS} live tails open; close one` };
    this.total++;
    this.held.set(client, mine + 1);
    return {
      release: () => {
        this.total--;
        const left = (this.held.get(client) ?? 1) - 1;
        if (left > 0) this.held.set(client, left);
        else this.held.delete(client);
      },
    };
  }
}
