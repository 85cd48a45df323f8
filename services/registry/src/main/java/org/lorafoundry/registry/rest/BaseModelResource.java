package org.lorafoundry.registry.rest;

import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.Authenticated;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.quarkus.CurrentCaller;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.registry.rest.Views.BaseModelAuditView;
import org.lorafoundry.registry.rest.Views.BaseModelDetailView;
import org.lorafoundry.registry.rest.Views.BaseModelRegistrationView;
import org.lorafoundry.registry.rest.Views.BaseModelRequest;
import org.lorafoundry.registry.rest.Views.BaseModelView;
import org.lorafoundry.registry.service.BaseModelService;

/** Base models: registered by admins, readable by every authenticated caller. */
@Path("/base-models")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Base models", description = "Hugging Face model directories available for fine-tuning")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
@SecurityRequirement(name = "bearer")
public class BaseModelResource {

    private final CurrentCaller currentCaller;
    private final BaseModelService models;

    BaseModelResource(CurrentCaller currentCaller, BaseModelService models) {
        this.currentCaller = currentCaller;
        this.models = models;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a base model (admin)", description = "Validates the directory with the LoRA engine "
            + "(config.json of an architecture it runs, tokenizer.json that loads, safetensors headers), computes its "
            + "manifest checksum and parameter count, and publishes BaseModelRegistered. The same name with the same checksum changes "
            + "nothing (200 existing); another checksum is 409 BASE_MODEL_CONFLICT unless ?replace=true (audited).")
    @APIResponse(responseCode = "201", description = "Registered",
            content = @Content(schema = @Schema(implementation = BaseModelRegistrationView.class)))
    @APIResponse(responseCode = "200", description = "Existing (same checksum) or replaced")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST or LOCATION_NOT_ALLOWED")
    @APIResponse(responseCode = "403", description = "Not an admin")
    @APIResponse(responseCode = "409", description = "BASE_MODEL_CONFLICT")
    @APIResponse(responseCode = "422", description = "BASE_MODEL_INVALID, with what is wrong with the directory",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response register(BaseModelRequest request,
            @Parameter(description = "Replace a registration with another checksum (audited)")
            @QueryParam("replace") @DefaultValue("false") boolean replace) throws SQLException, IOException {
        Caller caller = currentCaller.get();
        if (!caller.isAdmin()) {
            throw ApiException.forbidden("Only platform admins register base models");
        }
        if (request == null) {
            throw ApiException.badRequest("INVALID_REQUEST", "Body required: {name, location, description}");
        }
        BaseModelService.Result result = models.register(caller.actor(), request.name(), request.location(),
                request.description(), replace);
        BaseModelRegistrationView body = new BaseModelRegistrationView(result.outcome().name().toLowerCase(),
                BaseModelView.of(result.model()));
        return result.outcome() == BaseModelService.Outcome.CREATED
                ? Response.created(URI.create("/base-models/" + result.model().name())).entity(body).build()
                : Response.ok(body).build();
    }

    @GET
    @Operation(summary = "Every registered base model, by name")
    public List<BaseModelView> list() throws SQLException {
        currentCaller.get();
        return models.all().stream().map(BaseModelView::of).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "A base model with its registration history")
    public BaseModelDetailView get(@PathParam("name") String name) throws SQLException {
        currentCaller.get();
        BaseModelView model = models.find(name).map(BaseModelView::of)
                .orElseThrow(() -> ApiException.notFound("No base model '" + name + "'"));
        return new BaseModelDetailView(model, models.history(name).stream().map(BaseModelAuditView::of).toList());
    }
}
