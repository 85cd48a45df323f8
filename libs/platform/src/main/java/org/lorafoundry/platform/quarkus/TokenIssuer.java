package org.lorafoundry.platform.quarkus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.platform.auth.JwtKeys;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.auth.TokenMinter;

/**
 * The embedded default's token authority: at start-up it creates the signing key pair next to the configured public
 * key when {@code foundry.auth.generate-keys} is on and none exists yet (./foundry up creates it before any service
 * starts, so all services share one); it mints tokens for the admin token API and for tests.
 */
@ApplicationScoped
public class TokenIssuer {

    private final Path privateKey;
    private final Path publicKey;
    private final String issuer;
    private final boolean generateKeys;
    private volatile TokenMinter minter;

    TokenIssuer(@ConfigProperty(name = "foundry.auth.private-key") Path privateKey,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") String publicKeyLocation,
            @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
            @ConfigProperty(name = "foundry.auth.generate-keys", defaultValue = "true") boolean generateKeys) {
        this.privateKey = privateKey;
        this.publicKey = publicKeyLocation.contains("://") ? null : Path.of(publicKeyLocation);
        this.issuer = issuer;
        this.generateKeys = generateKeys;
    }

    void ensureKeys(@Observes StartupEvent event) throws Exception {
        // A URL as the verification key means an external provider: nothing to create here.
        if (generateKeys && publicKey != null) {
            JwtKeys.ensure(privateKey, publicKey);
        }
    }

    public String mint(String subject, Collection<String> teams, Collection<Role> roles, Duration lifetime) {
        return minter().mint(subject, teams, roles, lifetime);
    }

    private TokenMinter minter() {
        if (minter == null) {
            try {
                minter = new TokenMinter(JwtKeys.readPrivateKey(privateKey), issuer);
            } catch (Exception e) {
                throw new IllegalStateException("No signing key at " + privateKey + ": this deployment verifies tokens "
                        + "from an external provider and cannot mint its own", e);
            }
        }
        return minter;
    }
}
