import type { MandateProofFailure } from '../../domain/index.js';

/**
 * Why a presentation of AP2 mandates was refused: one of the domain's proof failures
 * (domain/payment/mandate-proof.ts) and what exactly failed. Thrown only inside this folder;
 * verifyAp2Mandates turns it into a result, so a caller never sees an exception for bad input.
 */
export class Ap2Refusal extends Error {
  constructor(
    readonly failure: MandateProofFailure,
    readonly detail: string,
  ) {
    super(`${failure}: ${detail}`);
    this.name = 'Ap2Refusal';
  }
}

export function refuse(failure: MandateProofFailure, detail: string): never {
  throw new Ap2Refusal(failure, detail);
}
