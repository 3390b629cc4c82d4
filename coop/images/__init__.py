"""Photos members upload (lending items, condition evidence, stays listings): the one way in.

`image_store` takes an uploaded file and refuses anything that is not a real JPEG, PNG or WebP
image (checked by decoding it, not by its name), with byte and pixel limits against
decompression bombs. It applies the EXIF orientation, throws away every piece of metadata
(EXIF, GPS, XMP, ICC, comments: a photo taken at home must not tell anyone where home is),
scales it to at most 1600 px on its long edge plus a 400 px thumbnail, and writes both as WebP
through Django's default storage (MEDIA_ROOT, `var/media` unless configured).

How an app uses it::

    from coop.images.services import image_delete, image_store

    stored = image_store(upload=request.FILES["photo"], folder="stays/listings", field="photo")
    ListingPhoto.objects.create(
        listing=listing, image_name=stored.name, thumbnail_name=stored.thumbnail_name,
        width=stored.width, height=stored.height, alt_text=alt_text,
    )
    ...
    image_delete(stored.name, stored.thumbnail_name)  # runs after the transaction commits

A refused file raises `coop.images.exceptions.BadImage` (code `bad_image`, status 400) with the
problem under `fields[field]`, so HTML forms (`form_add_domain_error`) and the API show it on
the right field.

Public photos (`private=False`) are served from this origin by `coop.images.views.image_public`
at `image_url(name)` (`/media/public/...`), so the CSP's `img-src 'self'` allows them; names are
random and never reused, so responses are cacheable forever. Private photos (`private=True`,
e.g. condition evidence seen only by the two members of a loan and the board) live under
`private/`, which that view never serves: the app's own view checks permissions and answers
with `coop.images.views.image_response(name)`.
"""
