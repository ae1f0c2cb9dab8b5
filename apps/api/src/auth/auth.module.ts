import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LOGGER, Logger, SYSTEM_IDENTITY } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { JwtGuard } from './jwt.guard';
import { JwtVerifier } from './jwt-verifier';

/**
 * Authentication and caller identity (CONTRACT D10, §7.2, §7.3): the global JwtGuard and the issuers'
 * keys, loaded at boot (a key file that cannot be used stops the start-up).
 */
@Module({
  providers: [
    { provide: JwtVerifier, inject: [APP_CONFIG], useFactory: (config: AppConfig) => JwtVerifier.create(config.server.jwt.enabled ? config.server.jwt.issuers : []) },
    { provide: APP_GUARD, useClass: JwtGuard },
  ],
})
export class AuthModule implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const { enabled, issuers } = this.config.server.jwt;
    if (!enabled) {
      this.logger.warn({ key: 'server.jwt.enabled' }, `authentication is disabled (server.jwt.enabled=false): requests are not authenticated and are recorded as ${SYSTEM_IDENTITY}`);
      return;
    }
    const described = issuers.map((i) => ({ issuer_url: i.issuerUrl, jwk_cert_url: i.jwkCertUrl, jwk_cert_file: i.jwkCertFile, audience: i.audience, header: i.header, identity_claim: i.identityClaim, identity_header: i.identityHeader }));
    this.logger.info({ issuers: described }, `authentication is enabled: bearer JWTs (RS256) from ${issuers.length} issuer(s)`);
  }
}
