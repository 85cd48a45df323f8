package org.lorafoundry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/** {@code foundry --version}: the version Maven wrote into {@code foundry-cli.properties}. */
final class CliVersion implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = CliVersion.class.getResourceAsStream("/foundry-cli.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {"foundry " + properties.getProperty("version", "(unknown version)")};
    }
}
