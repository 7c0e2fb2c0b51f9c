import { globalKey } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * Where a deployment without configured signing keys keeps the development key it generated:
 * written once with SET NX, so processes starting together agree on one key, and read by every
 * process after. It holds a private key: a production deployment configures its own keys.
 */
export class SigningKeyStore {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = globalKey(prefix, 'merchant-signing-jwks');
  }

  read(): Promise<string | null> {
    return this.redis.get(this.key);
  }

  /** Stores `jwks` unless keys are stored already; answers what is stored after. */
  async writeOnce(jwks: string): Promise<string> {
    await this.redis.set(this.key, jwks, 'NX');
    return (await this.redis.get(this.key)) ?? jwks;
  }
}
