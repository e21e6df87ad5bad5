"""A bare DRF list view of 50 people: the yardstick for the real API list's requests/s.

Same table, same authentication (bearer token) and the same JSON renderer as the real endpoint;
no scoping, filtering, counting, prefetching or throttling.
"""

from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from rapport.contacts.models import Person


class BarePersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "first_name", "middle_name", "last_name", "position", "email", "phone"]


class BarePersonList(generics.ListAPIView):
    serializer_class = BarePersonSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []
    throttle_classes = []

    def get_queryset(self):
        return Person.objects.order_by("pk")[:50]
