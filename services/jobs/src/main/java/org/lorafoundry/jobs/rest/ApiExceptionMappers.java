package org.lorafoundry.jobs.rest;

import jakarta.ws.rs.core.Response;

import com.google.protobuf.InvalidProtocolBufferException;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Bad input becomes a 400 with a reason, never a stack trace. */
public class ApiExceptionMappers {

    @ServerExceptionMapper
    public Response invalidJson(InvalidProtocolBufferException e) {
        return Response.status(Response.Status.BAD_REQUEST)
                .entity(ErrorResponse.of("MALFORMED_SPEC", "The body is not a valid foundry.v1.JobSpec in JSON: "
                        + e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST).entity(ErrorResponse.of("BAD_REQUEST", e.getMessage())).build();
    }
}
