import { Injectable } from '@nestjs/common';
import { Authenticator, type Strategy } from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { OidcAuthenticator } from './oidc.authenticator';
import type { Principal } from './roles';

/** The strategies, tried in this order: an API key, then the OIDC provider's JWT. */
const STRATEGIES = ['api-key', 'oidc'] as const;

interface PassportRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * This app's own passport: an `Authenticator` instance holding this app's strategies. Passport's
 * default export is one registry per process, so two apps in one process (the test suite, a second
 * service) shared strategies: the last app built answered every app's credentials, and closing it
 * broke the others. Nothing here calls the process-wide `passport.use`.
 */
@Injectable()
export class AppPassport {
  private readonly passport = new Authenticator();

  constructor(apiKeys: ApiKeyAuthenticator, oidc: OidcAuthenticator) {
    this.passport.use(
      STRATEGIES[0],
      strategyOf((request) => apiKeys.authenticate(request)),
    );
    this.passport.use(
      STRATEGIES[1],
      strategyOf((request) => oidc.authenticate(request)),
    );
  }

  /** The caller, or false when no strategy accepts the request; a strategy's error (e.g. FORBIDDEN) is thrown. */
  authenticate(request: PassportRequest, response: unknown): Promise<Principal | false> {
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate(
        [...STRATEGIES],
        { session: false },
        (error: unknown, user: Principal | false | undefined) => (error ? reject(error) : resolve(user || false)),
      ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
      middleware(request, response, (error?: unknown) => (error ? reject(error) : resolve(false)));
    });
  }
}

/** A passport strategy around one of our authenticators (false: not this kind of credential, or a bad one). */
function strategyOf(authenticate: (request: PassportRequest) => Promise<Principal | false>): Strategy {
  return new CustomStrategy((request, done) => {
    authenticate(request as unknown as PassportRequest).then(
      (principal) => done(null, principal),
      (error: unknown) => done(error),
    );
  });
}
