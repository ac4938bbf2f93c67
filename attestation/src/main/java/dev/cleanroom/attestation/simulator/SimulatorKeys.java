package dev.cleanroom.attestation.simulator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The simulator's RSA signing keys. The newest key signs; every key not retired is published, so tokens
 * signed before a rotation still verify against the live JWKS until their key is retired, and against
 * an archived JWKS after.
 *
 * <p>Invariant: private keys live only in this object and in its key file (mode 0600, replaced
 * atomically); everything this class publishes or archives is public keys only.
 */
public final class SimulatorKeys {
  private static final int KEY_BITS = 2048;

  private final Optional<Path> file;
  private List<RSAKey> keys; // newest first; guarded by this

  private SimulatorKeys(Optional<Path> file, List<RSAKey> keys) {
    this.file = file;
    this.keys = List.copyOf(keys);
  }

  /**
   * Loads the keys from {@code file}, or makes a first key and saves it there. Keep the file for as long
   * as reports signed with its keys should verify against the simulator's own JWKS.
   */
  public static SimulatorKeys loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      List<RSAKey> keys = new ArrayList<>();
      try {
        for (JWK key : JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8)).getKeys()) {
          if (!(key instanceof RSAKey rsa) || !rsa.isPrivate() || rsa.getKeyID() == null) {
            throw new AttestationException("invalid_jwks", file + " holds a key that is not a private RSA key with an id");
          }
          keys.add(rsa);
        }
      } catch (ParseException e) {
        throw new AttestationException("invalid_jwks", file + " is not a simulator key file");
      }
      if (keys.isEmpty()) {
        throw new AttestationException("invalid_jwks", file + " holds no key");
      }
      return new SimulatorKeys(Optional.of(file), keys);
    }
    SimulatorKeys created = new SimulatorKeys(Optional.of(file), List.of(generate()));
    created.save();
    return created;
  }

  /** Keys kept only in memory, gone with this object (tests, one-off runs). */
  public static SimulatorKeys ephemeral() {
    return new SimulatorKeys(Optional.empty(), List.of(generate()));
  }

  /** The id of the key that signs new tokens. */
  public synchronized String activeKeyId() {
    return keys.get(0).getKeyID();
  }

  /** Ids of every published key, the active one first. */
  public synchronized List<String> keyIds() {
    return keys.stream().map(RSAKey::getKeyID).toList();
  }

  /** Makes a new signing key; the old ones stay published. Returns the new key's id. */
  public synchronized String rotate() throws IOException {
    List<RSAKey> next = new ArrayList<>();
    next.add(generate());
    next.addAll(keys);
    keys = List.copyOf(next);
    save();
    return activeKeyId();
  }

  /** Stops publishing a key: tokens it signed then verify only against an archived JWKS. */
  public synchronized void retire(String keyId) throws IOException {
    if (activeKeyId().equals(keyId)) {
      throw new IllegalArgumentException("the active key cannot be retired; rotate first");
    }
    keys = keys.stream().filter(k -> !k.getKeyID().equals(keyId)).toList();
    save();
  }

  /** The published keys as a JWK set, public parts only. */
  public synchronized String publicJwks() {
    return new JWKSet(keys.stream().map(k -> (JWK) k.toPublicJWK()).toList()).toString(true);
  }

  /** The published keys archived straight from this store (when no job bridge fetched them). */
  public ArchivedJwks archive(Instant at) {
    String source = file.map(f -> "simulator key store " + f).orElse("simulator key store (in memory)");
    return new ArchivedJwks(publicJwks(), SimulatorIssuer.ISSUER, source, at);
  }

  synchronized RSAKey signingKey() {
    return keys.get(0);
  }

  private void save() throws IOException {
    if (file.isEmpty()) {
      return;
    }
    Path target = file.get().toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), ".simulator-keys", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, new JWKSet(List.<JWK>copyOf(keys)).toString(false), StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static RSAKey generate() {
    try {
      return new RSAKeyGenerator(KEY_BITS)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256)
          .keyIDFromThumbprint(true)
          .issueTime(new java.util.Date())
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("every Java platform can make RSA keys", e);
    }
  }
}
