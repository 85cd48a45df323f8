package org.lorafoundry.registry.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.lorafoundry.platform.rest.ApiException;

/** Errors as JSON {@code {code, message}}. */
public class ApiExceptionMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMapper.class);

    @ServerExceptionMapper
    public Response registry(ApiException e) {
        return json(e.status(), new ApiError(e.code(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 401 || status == 403) {
            // Leave authentication challenges (WWW-Authenticate) as the security layer made them.
            return e.getResponse();
        }
        String code = switch (status) {
            case 400 -> "INVALID_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> "HTTP_" + status;
        };
        return json(status, new ApiError(code, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response storage(java.sql.SQLException e) {
        LOG.error("Database error", e);
        return json(503, new ApiError("UNAVAILABLE", "The registry's database failed (" + e.getMessage()
                + "); try again"));
    }

    @ServerExceptionMapper
    public Response io(java.io.IOException e) {
        LOG.error("I/O error", e);
        return json(500, new ApiError("INTERNAL", "I/O error: " + e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (e instanceof WebApplicationException web) {
            return web(web);
        }
        LOG.error("Unexpected error", e);
        return json(500, new ApiError("INTERNAL", "Unexpected error: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage())));
    }

    static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
