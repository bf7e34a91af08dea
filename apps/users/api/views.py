"""Views of the users API: thin, one service or selector each."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    is_staff = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)

    class Meta:
        ref_name = "UserMe"


class MeView(APIView):
    @extend_schema(operation_id="users_me_retrieve", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        """The signed-in user's account."""
        return Response(MeSerializer(request.user).data)
