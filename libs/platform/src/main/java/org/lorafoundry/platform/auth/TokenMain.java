package org.lorafoundry.platform.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Command line for the embedded default's keys and tokens, used by {@code ./foundry up} and {@code ./foundry token}:
 * <pre>
 *   TokenMain keys  --dir .foundry/keys
 *   TokenMain token --dir .foundry/keys --subject alice --teams demo,nlp --roles member,maintainer [--days 30]
 * </pre>
 */
public final class TokenMain {

    private TokenMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("keys") || args[0].equals("token"))) {
            usage("first argument: keys or token");
        }
        Path dir = Path.of(".foundry/keys");
        String subject = null;
        List<String> teams = List.of();
        Set<Role> roles = EnumSet.of(Role.MEMBER);
        long days = 30;
        for (int i = 1; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--dir" -> dir = Path.of(value);
                case "--subject" -> subject = value;
                case "--teams" -> teams = split(value);
                case "--roles" -> {
                    roles = EnumSet.noneOf(Role.class);
                    for (String role : split(value)) {
                        roles.add(Role.fromClaim(role).orElseThrow(() -> new IllegalArgumentException(
                                "unknown role '" + role + "' (member, maintainer, admin)")));
                    }
                }
                case "--days" -> days = Long.parseLong(value);
                default -> usage("unknown argument " + args[i]);
            }
        }
        JwtKeys.ensure(dir);
        if (args[0].equals("token")) {
            if (subject == null) {
                usage("token needs --subject");
            }
            TokenMinter minter = new TokenMinter(JwtKeys.readPrivateKey(dir.resolve(JwtKeys.PRIVATE_KEY_FILE)),
                    TokenMinter.DEFAULT_ISSUER);
            System.out.println(minter.mint(subject, teams, roles, Duration.ofDays(days)));
        }
    }

    private static List<String> split(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: TokenMain keys --dir DIR | token --dir DIR --subject NAME --teams a,b --roles member[,maintainer|admin] [--days N]");
        System.exit(2);
    }
}
