package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import io.javalin.http.Context;

/**
 * Members of an organization and the invitations that make them: {@code /api/v1/orgs/{orgId}/members} and
 * {@code /invitations} for its admins, {@code /api/v1/invitations} for the invited user.
 */
final class MemberResource {
    private final IdentityService identity;

    MemberResource(IdentityService identity) {
        this.identity = identity;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.members(caller.principal(), caller.org()));
    }

    /** 202 with the invitation, whether or not the e-mail had an account: the answer must not tell. */
    void add(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 202, identity.invite(caller.principal(), caller.org(), Json.text(body, "email"),
                Json.text(body, "password"), Json.text(body, "role")));
    }

    void orgInvitations(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.orgInvitations(caller.principal(), caller.org()));
    }

    void revoke(Context ctx, Caller caller) {
        identity.revokeInvitation(caller.principal(), caller.org(), ctx.pathParam("invitationId"));
        ctx.status(204);
    }

    void myInvitations(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.invitationsFor(user(caller)));
    }

    void accept(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.acceptInvitation(user(caller), ctx.pathParam("invitationId")));
    }

    void decline(Context ctx, Caller caller) {
        identity.declineInvitation(user(caller), ctx.pathParam("invitationId"));
        ctx.status(204);
    }

    /** The routes declare {@link Access#USER}, so the caller is a user. */
    private static Principal.User user(Caller caller) {
        return (Principal.User) caller.principal();
    }
}
